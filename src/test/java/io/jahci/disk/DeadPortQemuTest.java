package io.jahci.disk;

import io.jahci.chip.ProfileTransport;
import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A port whose disk never becomes ready holds no other port back, wherever it sits: on a chip profile
 * whose IS bits stay set until written back and whose level interrupt stays asserted while any is set
 * (amd-fch, as silicon behaves; its staggered spin-up also makes each port wait for PxCMD.SUD), two disks that take 5 s to spin up both pass a pattern verify at
 * queue depth 32, and the dead port is reported as failed. The dead port first is the case where the
 * first implemented port's channel never starts; the dead port last, the case where the last one never
 * runs its ISR.
 */
@Tag("qemu")
class DeadPortQemuTest {
    /** The disks' spin-up (spinup=5) fits within the device-ready wait; the dead port exhausts it twice. */
    private static final long DEVICE_READY_MILLIS = 7_000;

    @TempDir
    Path dir;

    @Test
    void deadFirstPortLeavesTheSpinningUpDisksOnPorts1And2Working() throws Exception {
        checkDeadPort(0, List.of(1, 2));
    }

    @Test
    void deadLastPortOnAStickyIsChipLeavesTheDisksOnPorts0And1Working() throws Exception {
        checkDeadPort(5, List.of(0, 1));
    }

    private void checkDeadPort(int dead, List<Integer> diskPorts) throws Exception {
        Path a = Images.create(dir, "a.img", 8 << 20);
        Path b = Images.create(dir, "b.img", 8 << 20);
        DeviceSpec spec = DeviceSpec.parse("qemu:" + a + "," + b + ",profile=amd-fch,spinup=5,neverready=" + dead);
        assertEquals(diskPorts, spec.profile().diskPorts().subList(0, 2), "the images go on the first connected ports");
        try (Controller c = Controller.open(spec, OpenOptions.builder().allowWrite(true)
                .deviceReadyTimeout(java.time.Duration.ofMillis(DEVICE_READY_MILLIS)).build())) {
            assertEquals(List.of(PortCondition.FAILED), c.ports().stream().filter(p -> p.port() == dead)
                    .map(Controller.PortStatus::state).toList(), "port " + dead + " is reported: " + c.ports());
            assertTrue(c.warnings().stream().anyMatch(w -> w.contains("port " + dead)),
                    "a warning names port " + dead + ": " + c.warnings());
            for (int port : diskPorts) {
                Disk disk = c.disk(port);
                PatternVerify.Result r = PatternVerify.run(disk, 0, disk.sectors(), 32, 17 + port,
                        (back, done, total, bad) -> { });
                assertTrue(r.passed(), "port " + port + ": " + r.mismatches());
            }
            assertEquals(List.of(), ((ProfileTransport) c.transport()).violations(), "the chip refused nothing");
        }
    }
}
