package io.jahci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jahci.hw.Release;
import io.jahci.hw.RefusedException;
import io.jahci.hw.pci.DeviceNotBoundException;
import io.jahci.hw.pci.NoSuchPciDeviceException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Which failures are the user's to fix (2) and which happened while running (1). No device needed. */
class ExitCodeTest {
    @Test
    void runtimeAndDeviceFailuresExitOneEvenAsIllegalStateException() {
        assertEquals(Main.DEVICE_ERROR, Main.exitCodeFor(new IllegalStateException("port threads failed during bench irq")));
        assertEquals(Main.DEVICE_ERROR, Main.exitCodeFor(new IllegalStateException("the DMA pool is closed")));
        assertEquals(Main.DEVICE_ERROR, Main.exitCodeFor(new IOException("VFIO_IOMMU_MAP_DMA: ENOMEM")));
        Release release = new Release("0000:00:05.0");
        release.step("closing fd 7", () -> {
            throw new IOException("EIO");
        });
        Release.ReleaseException failed = assertThrows(Release.ReleaseException.class, release::done);
        assertEquals(Main.DEVICE_ERROR, Main.exitCodeFor(failed));
    }

    @Test
    void refusalsAndBadArgumentsExitTwo() {
        assertEquals(Main.USAGE_ERROR, Main.exitCodeFor(new RefusedException("refusing to write ...: opened read-only")));
        assertEquals(Main.USAGE_ERROR, Main.exitCodeFor(DeviceNotBoundException.of("0000:00:05.0", "ahci", "vfio-pci",
                "--vfio")));
        assertEquals(Main.USAGE_ERROR, Main.exitCodeFor(new NoSuchPciDeviceException("0000:00:09.0")));
        assertEquals(Main.USAGE_ERROR, Main.exitCodeFor(new IllegalArgumentException("LBA range outside the disk")));
        assertEquals(Main.USAGE_ERROR, Main.exitCodeFor(new Main.UsageException("--qd must be 1..32")));
    }
}
