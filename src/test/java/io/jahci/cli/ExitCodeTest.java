package io.jahci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jahci.fault.ControllerLostException;
import io.jahci.hw.DeviceLostException;
import io.jahci.hw.Release;
import io.jahci.hw.RefusedException;
import io.jahci.hw.pci.DeviceNotBoundException;
import io.jahci.hw.pci.NoSuchPciDeviceException;
import io.jahci.testing.Images;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exit codes docs/errors.md lists, each from a real run where a device can produce it: 0 success, 1 a finding,
 * 2 usage or refusal, 3 device or I/O error, 4 runtime error (the port layer's own failures, which a healthy device
 * cannot produce: mapped from their exceptions).
 */
class ExitCodeTest {
    @TempDir
    Path dir;

    @Test
    @Tag("qemu")
    void zeroWhenTheCommandWorked() throws Exception {
        CliRun r = CliRun.of("--device", "qemu:" + Images.create(dir, "ok.img", 4 << 20), "scan", "--port", "0");
        assertEquals(0, r.exit(), r.err());
    }

    @Test
    @Tag("qemu")
    void oneWhenTheCommandWorkedAndFoundBadSectors() throws Exception {
        CliRun r = CliRun.of("--device", Images.failingReadAt(dir, 100), "scan", "--port", "0");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.out().contains("bad: LBA 100..100 (1 sectors)"), r.out());
    }

    @Test
    void twoForABadOptionBeforeAnythingOpens() {
        CliRun r = CliRun.of("--device", "qemu:" + dir.resolve("never-created.img"), "scan", "--port", "0", "--qd", "x");
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    @Tag("qemu")
    void threeWhenTheDeviceFailsACommand() throws Exception {
        CliRun r = CliRun.of("--device", Images.failingReadAt(dir, 8), "read", "--port", "0", "--lba", "0",
                "--count", "16", "--out", dir.resolve("o.bin").toString());
        assertEquals(3, r.exit(), r.err());
        assertTrue(r.err().contains("READ DMA EXT, LBA 0..15 (16 sectors) failed"), r.err());
    }

    @Test
    void deviceAndIoFailuresExitThree() {
        assertEquals(3, Main.exitCodeFor(new IOException("VFIO_IOMMU_MAP_DMA: ENOMEM")));
        assertEquals(3, Main.exitCodeFor(new ControllerLostException("port 0: registers read all ones")));
        assertEquals(3, Main.exitCodeFor(new DeviceLostException("QEMU exited with status 1")));
        Release release = new Release("0000:00:05.0");
        release.step("closing fd 7", () -> {
            throw new IOException("EIO");
        });
        Release.ReleaseException failed = assertThrows(Release.ReleaseException.class, release::done);
        assertEquals(3, Main.exitCodeFor(failed));
    }

    @Test
    void runtimeFailuresOfJahciItselfExitFour() {
        assertEquals(4, Main.exitCodeFor(new IllegalStateException("port threads failed during bench irq")));
        assertEquals(4, Main.exitCodeFor(new io.jahci.chip.ProfileViolation("a write to a read-only register")));
    }

    /** smartctl's bit mask: 0 healthy, bit 1 (2) when the disk cannot be opened, bit 0 (1) for a bad command line. */
    @Test
    @Tag("qemu")
    void smartOffersSmartctlsBitMask() {
        CliRun healthy = CliRun.of("--device", "qemu", "smart", "--port", "0", "--exit-status", "smartctl");
        assertEquals(0, healthy.exit(), healthy.err());
        CliRun noDisk = CliRun.of("--device", "qemu", "smart", "--port", "3", "--exit-status", "smartctl");
        assertEquals(SmartExitStatus.OPEN, noDisk.exit(), noDisk.err());
        assertTrue(noDisk.err().contains("port 3"), noDisk.err());
        CliRun jahci = CliRun.of("--device", "qemu", "smart", "--port", "3");
        assertEquals(2, jahci.exit(), "jahci's own codes by default: " + jahci.err());
        CliRun parse = CliRun.of("smart", "--port", "0", "--exit-status", "smartctl", "--bogus");
        assertEquals(SmartExitStatus.PARSE, parse.exit(), parse.err());
    }

    @Test
    void refusalsAndBadArgumentsExitTwo() {
        assertEquals(2, Main.exitCodeFor(new RefusedException("refusing to write ...: opened read-only")));
        assertEquals(2, Main.exitCodeFor(DeviceNotBoundException.of("0000:00:05.0", "ahci", "vfio-pci", "--vfio")));
        assertEquals(2, Main.exitCodeFor(new NoSuchPciDeviceException("0000:00:09.0")));
        assertEquals(2, Main.exitCodeFor(new IllegalArgumentException("LBA range outside the disk")));
        assertEquals(2, Main.exitCodeFor(new Main.UsageException("--qd must be 1..32")));
    }
}
