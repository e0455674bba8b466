package io.jahci.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jahci.ataport.ThreadPlacement;
import io.jahci.ataport.ThreadPlacement.Role;
import io.jahci.ataport.WaitMode;
import io.jahci.hw.RegisterCounts;
import io.jahci.platform.Scheduling;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The global --pin/--wait reach the port threads of a controller opened for I/O, and register counting counts. */
@Tag("qemu")
class PlacementQemuTest {
    @Test
    @DisplayName("A controller opened with a placement runs its interrupt and dispatch threads on the CPUs asked for "
            + "(read back from the kernel), reads with --wait hybrid, and counts its register accesses when asked")
    void placementAndCountsReachTheController() throws Exception {
        RegisterCounts counts = new RegisterCounts();
        OpenOptions options = OpenOptions.builder().threadPlacement("irq=0,dispatch=1,workitem=0", 0).waitMode("hybrid")
                .countRegisterAccesses(counts).build();
        try (Controller c = Controller.open(DeviceSpec.parse("qemu"), options)) {
            ThreadPlacement placement = c.threadPlacement();
            Disk disk = c.disk(0);
            RegisterCounts.Snapshot before = counts.snapshot();
            ByteBuffer buffer = ByteBuffer.allocateDirect(disk.sectorSize());
            for (int i = 0; i < 10; i++) {
                buffer.clear();
                disk.read(i, buffer);
            }
            RegisterCounts.PerCommand perRead = counts.snapshot().perCommandSince(before, 10);
            assertTrue(perRead.reads() >= 2 && perRead.writes() >= 2, "register accesses per READ: " + perRead);

            Map<Role, String> cpus = new HashMap<>();
            for (ThreadPlacement.Reading r : placement.readBack()) {
                assertNotNull(r.inForce(), r.thread() + " exited while the controller is open");
                cpus.put(r.thread().role(), r.inForce().cpuList());
            }
            assertEquals("0", cpus.get(Role.IRQ));
            assertEquals("1", cpus.get(Role.DISPATCH));
            assertEquals("0", cpus.get(Role.WORKITEM));
            String all = Scheduling.cpuList(Scheduling.affinity(Scheduling.gettid()));
            assertEquals(all, cpus.get(Role.TIMER), "the timer is not pinned");
        }
    }
}
