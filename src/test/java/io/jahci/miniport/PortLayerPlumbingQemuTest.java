package io.jahci.miniport;

import io.jahci.ataport.Irql;
import io.jahci.ataport.PortDriverOptions;
import io.jahci.hw.qemu.QemuConfig;
import io.jahci.hw.qemu.QemuTransport;
import io.jahci.testing.Images;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The AHCI miniport running on the port layer, against QEMU: Reset, levels, allocation. */
class PortLayerPlumbingQemuTest {
    @TempDir
    Path dir;

    private AhciHba open(Path image, boolean syncWithIsr) throws Exception {
        QemuTransport t = QemuTransport.open(QemuConfig.fromEnvironment(List.of(image.toString())));
        try {
            return AhciHba.open(t, AhciHba.Config.defaults().withSyncWithIsr(syncWithIsr));
        } catch (Exception e) {
            t.close();
            throw e;
        }
    }

    private static void closeAll(AhciHba hba) {
        hba.close();
        hba.transport().close();
    }

    @ParameterizedTest(name = "SyncWithIsr {0}")
    @ValueSource(booleans = {true, false})
    void resetComresetsThePortThroughTheRecoveryWorkItemAndIoGoesOn(boolean syncWithIsr) throws Exception {
        Path image = Images.create(dir, "a.img", 4 << 20);
        byte[] data = Images.random(21, 8192);
        Images.write(image, 512 * 10, data);
        AhciHba hba = open(image, syncWithIsr);
        try {
            AhciPort port = hba.ports().get(0);
            assertFalse(port.history().contains("COMRESET"));
            assertTrue(port.channel().reset());
            long deadline = System.currentTimeMillis() + 10_000;
            while (!port.history().contains("RECOVERED") && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(port.history().contains("COMRESET"), port.history());
            assertTrue(port.history().contains("RECOVERED"), port.history());
            assertEquals(PortState.READY, port.state());
            ByteBuffer buffer = ByteBuffer.allocate(data.length);
            port.transfer(false, 10, buffer);
            assertArrayEquals(data, buffer.array());
            assertEquals(List.of(), hba.portLayerFailures());
        } finally {
            closeAll(hba);
        }
    }

    @Test
    void callbacksRunAtTheLevelsTheSeedsGive() throws Exception {
        Path image = Images.create(dir, "a.img", 4 << 20);
        for (boolean sync : new boolean[] {true, false}) {
            AhciHba hba = open(image, sync);
            try {
                AhciPort port = hba.ports().get(0);
                List<String> seen = new ArrayList<>();
                port.channel().requestSynchronizedRoutine(ext -> seen.add(Irql.current() + " "
                        + port.channel().holdsInterruptLock()));
                assertEquals(List.of("DIRQL true"), seen);
                assertEquals(sync, hba.syncWithIsr());
                assertEquals(sync, port.channel().syncWithIsr());
                port.transfer(false, 0, ByteBuffer.allocate(512));
            } finally {
                closeAll(hba);
            }
        }
    }

    /**
     * Steady state allocates nothing on the port layer's threads: the interrupt thread (the ISR
     * and the qtest register accesses it makes), the dispatch threads (completions) and the timer.
     * The verifier stays on; its ISR budget is set past qtest's worst round trips, because a
     * warning (a diagnostic, not steady state) allocates its message.
     */
    @Test
    void steadyStateReadsAllocateNothingOnInterruptAndCompletionThreads() throws Exception {
        Path image = Images.create(dir, "a.img", 4 << 20);
        QemuTransport t = QemuTransport.open(QemuConfig.fromEnvironment(List.of(image.toString())));
        AhciHba hba = AhciHba.open(t, new AhciHba.Config(AhciPortOptions.DEFAULT, true,
                new PortDriverOptions().verifier(true).isrBudget(10, TimeUnit.SECONDS)));
        try {
            AhciPort port = hba.ports().get(0);
            ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
            for (int i = 0; i < 1000; i++) {
                port.transfer(false, i % 64, buffer);
            }
            Map<Thread, Long> before = allocatedByPortThreads();
            for (int i = 0; i < 1000; i++) {
                port.transfer(false, i % 64, buffer);
            }
            Map<Thread, Long> after = allocatedByPortThreads();
            assertFalse(before.isEmpty());
            for (Map.Entry<Thread, Long> e : before.entrySet()) {
                assertEquals(e.getValue(), after.get(e.getKey()), e.getKey().getName() + " allocated");
            }
        } finally {
            closeAll(hba);
        }
    }

    private static Map<Thread, Long> allocatedByPortThreads() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Map<Thread, Long> out = new java.util.HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            if (n.startsWith("jahci-irq") || n.startsWith("jahci-dispatch") || n.startsWith("jahci-timer")) {
                out.put(t, mx.getThreadAllocatedBytes(t.getId()));
            }
        }
        return out;
    }
}
