package io.jahci.miniport;

import io.jahci.ataport.Channel;
import io.jahci.ataport.IoRequest;
import io.jahci.ataport.Irql;
import io.jahci.ataport.LatencyProbe;
import io.jahci.ataport.PortDriverOptions;
import io.jahci.testing.Images;
import io.jahci.testing.ThreadAllocation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The AHCI miniport running on the port layer, against QEMU: Reset, levels, allocation. */
@Tag("qemu")
class PortLayerPlumbingQemuTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "SyncWithIsr {0}")
    @ValueSource(booleans = {true, false})
    void resetComresetsThePortThroughTheRecoveryWorkItemAndIoGoesOn(boolean syncWithIsr) throws Exception {
        Path image = Images.create(dir, "a.img", 4 << 20);
        byte[] data = Images.random(21, 8192);
        Images.write(image, 512 * 10, data);
        AhciHba hba = QemuHba.open(image.toString(), AhciHba.Config.defaults().withSyncWithIsr(syncWithIsr));
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
            port.io().transfer(false, 10, buffer);
            assertArrayEquals(data, buffer.array());
            assertEquals(List.of(), hba.portLayerFailures());
        } finally {
            QemuHba.close(hba);
        }
    }

    @Test
    void callbacksRunAtTheLevelsOfThePortModel() throws Exception {
        Path image = Images.create(dir, "a.img", 4 << 20);
        for (boolean sync : new boolean[] {true, false}) {
            // The port layer's observation points around the AHCI miniport's own routines: its ISR
            // (IdeHwInterrupt), its StartIo's return and the completion it queued.
            Map<String, java.util.Set<String>> seen = new java.util.concurrent.ConcurrentHashMap<>();
            LatencyProbe probe = new LatencyProbe() {
                private void note(String point, Channel<?> channel) {
                    seen.computeIfAbsent(point, k -> java.util.concurrent.ConcurrentHashMap.newKeySet())
                            .add(Irql.current() + " interruptLock=" + channel.holdsInterruptLock()
                                    + " channelLock=" + channel.holdsChannelLock());
                }

                @Override
                public void isrEntry(Channel<?> channel) {
                    note("ISR", channel);
                }

                @Override
                public void startIoReturned(Channel<?> channel, IoRequest request) {
                    note("StartIo", channel);
                }

                @Override
                public void completionDispatch(Channel<?> channel, IoRequest request) {
                    note("completion", channel);
                }
            };
            AhciHba hba = QemuHba.open(image.toString(), new AhciHba.Config(AhciPortOptions.DEFAULT, sync,
                    new PortDriverOptions().latencyProbe(probe)));
            try {
                AhciPort port = hba.ports().get(0);
                List<String> synchronizedRoutine = new ArrayList<>();
                port.channel().requestSynchronizedRoutine(ext -> synchronizedRoutine.add(Irql.current() + " "
                        + port.channel().holdsInterruptLock()));
                assertEquals(List.of("DIRQL true"), synchronizedRoutine);
                assertEquals(sync, hba.syncWithIsr());
                assertEquals(sync, port.channel().syncWithIsr());
                seen.clear(); // bring-up's IDENTIFY went the same way; count the reads below only
                for (int i = 0; i < 20; i++) {
                    port.io().transfer(false, 0, ByteBuffer.allocate(4096));
                }
                assertEquals(Map.of(
                        "ISR", java.util.Set.of("DIRQL interruptLock=true channelLock=false"),
                        "StartIo", java.util.Set.of(sync ? "DIRQL interruptLock=true channelLock=true"
                                : "DISPATCH interruptLock=false channelLock=true"),
                        "completion", java.util.Set.of("DISPATCH interruptLock=false channelLock=false")), seen,
                        "SyncWithIsr " + sync);
            } finally {
                QemuHba.close(hba);
            }
        }
    }

    /**
     * Steady state allocates nothing on the port layer's threads: the interrupt thread (the ISR
     * and the qtest register accesses it makes), the dispatch threads (completions, StartIo of
     * queued commands) and the timer, over 6,000 queued reads in bursts of four. The warm-up
     * lasts long enough for the command timer (1 s period) to fire: each path runs once before
     * the measurement, as class and call-site linking on first use allocates. The bound is below
     * one byte per read: any object allocated per command (16 bytes at least) breaks it, while the
     * JVM's own rare bookkeeping charged to a thread (a few hundred bytes at a safepoint, seen with
     * JFR at lines that allocate nothing) does not.
     * The verifier stays on; its ISR budget is set past qtest's worst round trips, because a
     * warning (a diagnostic, not steady state) allocates its message.
     */
    @Test
    void steadyStateReadsAllocateNothingOnInterruptAndCompletionThreads() throws Exception {
        Path image = Images.create(dir, "a.img", 4 << 20);
        AhciHba hba = QemuHba.open(image.toString(), new AhciHba.Config(AhciPortOptions.DEFAULT, true,
                new PortDriverOptions().verifier(true).isrBudget(10, TimeUnit.SECONDS)));
        try {
            AhciPort port = hba.ports().get(0);
            ByteBuffer[] buffers = new ByteBuffer[4];
            for (int b = 0; b < buffers.length; b++) {
                buffers[b] = ByteBuffer.allocateDirect(4096);
            }
            long warmUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
            while (System.nanoTime() < warmUntil) {
                readInBursts(port, buffers, 100);
            }
            Map<Long, String> named = ThreadAllocation.threadsNamed("jahci-irq", "jahci-dispatch", "jahci-timer");
            List<Long> threads = ThreadAllocation.ids(named);
            long[] before = ThreadAllocation.allocated(threads);
            readInBursts(port, buffers, 1500);
            long[] after = ThreadAllocation.allocated(threads);
            assertFalse(threads.isEmpty());
            int reads = 1500 * buffers.length;
            for (int i = 0; i < threads.size(); i++) {
                long bytes = after[i] - before[i];
                assertTrue(bytes < reads, named.get(threads.get(i)) + " allocated " + bytes + " bytes over " + reads
                        + " reads: something on the I/O path allocates per command");
            }
        } finally {
            QemuHba.close(hba);
        }
    }

    /** Bursts of queued reads, so that both dispatch threads and every slot path get used. */
    private static void readInBursts(AhciPort port, ByteBuffer[] buffers, int bursts) throws Exception {
        java.util.concurrent.CompletableFuture<?>[] inFlight = new java.util.concurrent.CompletableFuture<?>[buffers.length];
        for (int i = 0; i < bursts; i++) {
            for (int b = 0; b < buffers.length; b++) {
                inFlight[b] = port.io().submit(false, (i * buffers.length + b) % 64 * 8L, buffers[b]);
            }
            for (java.util.concurrent.CompletableFuture<?> f : inFlight) {
                f.get();
            }
        }
    }
}
