package io.jahci.ataport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("allocation")
class AllocationTest {
    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 20_000;
    private static final int WINDOWS = 3;

    private final AtomicLong workerRuns = new AtomicLong();
    private final AtomicLong completions = new AtomicLong();
    private final ChannelRoutine<TestExt> synchronizedIncrement = ext -> ext.shared++;
    private final ChannelRoutine<TestExt> workerRoutine = ext -> {
        ext.channel.requestSynchronizedRoutine(synchronizedIncrement);
        workerRuns.incrementAndGet();
    };
    private final IoCompletion completion = request -> completions.incrementAndGet();
    private volatile IoRequest inflight;

    @ParameterizedTest(name = "--wait {0}")
    @ValueSource(strings = {"block", "spin", "hybrid", "hybrid:20"})
    @DisplayName("Allocation: in steady state the interrupt thread and the worker threads allocate nothing per event (ISR, worker and synchronized routines, completions; verifier on), in every wait mode: of three windows of 20,000 rounds, each thread has one of exactly 0 bytes and none of a byte per round")
    void steadyStateAllocatesNothingPerEvent(String wait) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(mx.isThreadAllocatedMemorySupported());
        mx.setThreadAllocatedMemoryEnabled(true);
        try (Fixture f = new Fixture(new PortDriverOptions().dispatchThreads(2).verifier(true).isrBudget(10, TimeUnit.SECONDS)
                .waitMode(WaitMode.parse(wait)))) {
            TestMiniport miniport = new TestMiniport(false);
            miniport.recordInterrupts = false;
            miniport.onStartIo = (ext, request) -> {
                inflight = request; // read by the ISR, which runs after the submit returned
                return true;
            };
            miniport.onInterrupt = ext -> {
                ext.shared++;
                ext.channel.requestSynchronizedRoutine(synchronizedIncrement);
                ext.channel.requestWorkerRoutine(workerRoutine);
                IoRequest done = inflight;
                inflight = null;
                ext.channel.completeRequest(done, IoStatus.SUCCESS);
                return true;
            };
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            IoRequest request = new IoRequest(null, completion);
            run(f, channel, request, WARM_UP);

            List<Thread> measured = new ArrayList<>(f.port.dispatchThreads());
            measured.add(f.connections.get(0).thread());
            long[][] windows = new long[WINDOWS][];
            for (int w = 0; w < WINDOWS; w++) {
                long[] before = allocated(mx, measured);
                run(f, channel, request, MEASURED);
                long[] after = allocated(mx, measured);
                windows[w] = new long[measured.size()];
                for (int i = 0; i < measured.size(); i++) {
                    windows[w][i] = after[i] - before[i];
                }
            }

            // Nothing per event. Exactly 0 is what almost every window shows, in every mode, but not
            // every one: in 20 consecutive windows (5 per mode) one block-mode window showed 504 B on
            // one dispatch thread, single adaptive-hybrid windows showed 448 B, and a full `mvn verify`
            // once showed 1104 B in a block-mode window: the one-off docs/performance.md
            // describes (a rarely taken path's first run or a deoptimization), which does not repeat;
            // and a final CI run under load once showed 1344 B and 128 B in both block-mode windows of
            // the interrupt thread. So each thread must have one window of exactly 0 among three (an
            // allocation every N rounds, for any N up to 20,000, would show in all of them), and no
            // window with a byte per round.
            for (int i = 0; i < measured.size(); i++) {
                long min = Long.MAX_VALUE;
                long max = 0;
                StringBuilder bytes = new StringBuilder();
                for (long[] window : windows) {
                    min = Math.min(min, window[i]);
                    max = Math.max(max, window[i]);
                    bytes.append(bytes.length() == 0 ? "" : ", ").append(window[i]);
                }
                String what = measured.get(i).getName() + " allocated " + bytes + " bytes in " + WINDOWS + " windows of "
                        + MEASURED + " rounds with --wait " + wait;
                assertTrue(min == 0 && max < MEASURED, what);
            }
            assertEquals(WARM_UP + WINDOWS * MEASURED, f.connections.get(0).interrupts());
        }
    }

    /** Submits, interrupts and waits for the worker routine and completion, {@code rounds} times. */
    private void run(Fixture f, Channel<TestExt> channel, IoRequest request, int rounds) {
        long target = workerRuns.get();
        for (int i = 0; i < rounds; i++) {
            channel.submit(request);
            f.source(0).fire();
            target++;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Fixture.WAIT_SECONDS);
            while (workerRuns.get() != target || completions.get() != target || request.inFlight()) {
                if (System.nanoTime() > deadline) {
                    fail("round " + i + " did not finish");
                }
                Thread.yield(); // not onSpinWait: with spinning port threads on 2 cores, let them run
            }
        }
    }

    private static long[] allocated(com.sun.management.ThreadMXBean mx, List<Thread> threads) {
        long[] bytes = new long[threads.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = mx.getThreadAllocatedBytes(threads.get(i).getId());
        }
        return bytes;
    }
}
