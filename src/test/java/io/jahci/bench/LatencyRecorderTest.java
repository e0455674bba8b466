package io.jahci.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.util.EnumMap;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The recording and correction math, on hand-made stamps. */
class LatencyRecorderTest {
    /** Events every 1000 ns; each stage reached {@code delays[stage][i]} ns after the schedule. */
    private static RawRun run(int warmup, long[] intended, Map<Stage, long[]> delays) {
        Map<Stage, long[]> stamps = new EnumMap<>(Stage.class);
        delays.forEach((stage, d) -> {
            long[] s = new long[d.length];
            for (int i = 0; i < d.length; i++) {
                s[i] = intended[i] + d[i];
            }
            stamps.put(stage, s);
        });
        return new RawRun(intended, stamps, warmup, intended.length);
    }

    private static long[] schedule(int n, long period) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = 5_000_000_000L + i * period;
        }
        return t;
    }

    @Test
    @DisplayName("Values are stamp minus intended time; warm-up events are never recorded")
    void recordsFromIntendedTimeAndSkipsWarmup() {
        long[] intended = schedule(6, 1000);
        long[] worker = {999_999, 999_999, 100, 200, 300, 400};
        LatencyRecorder r = LatencyRecorder.record(run(2, intended, Map.of(Stage.WORKER, worker)));
        Histogram h = r.histogram(Stage.WORKER);
        assertEquals(4, h.getTotalCount());
        assertEquals(100, h.getMinValue());
        assertTrue(h.valuesAreEquivalent(400, h.getMaxValue()));
        StageStats s = r.stats().get(Stage.WORKER);
        assertEquals(4, s.count());
        assertTrue(h.valuesAreEquivalent(200, s.p50()), "p50 " + s.p50());
        assertEquals(0, r.clamped());
    }

    @Test
    @DisplayName("Coordinated omission: a 10 us stall of the pipeline shows in every event scheduled during it")
    void stallCountsForEveryEventScheduledDuringIt() {
        // 100 events every 1 us; normally 100 ns each. The pipeline stalls from t=10 us to t=20 us:
        // events 10..19 all complete at 20 us (the stimulus kept its schedule and sent them, or
        // sent them late back to back: either way they are measured from their intended times).
        int n = 100;
        long[] intended = schedule(n, 1000);
        long[] delay = new long[n];
        for (int i = 0; i < n; i++) {
            delay[i] = i >= 10 && i < 20 ? (20 - i) * 1000L : 100;
        }
        LatencyRecorder r = LatencyRecorder.record(run(0, intended, Map.of(Stage.WORKITEM, delay)));
        Histogram h = r.histogram(Stage.WORKITEM);
        assertEquals(n, h.getTotalCount());
        // 10 of 100 events are >= 1 us late: p90 is still fast, p91 is not, the max is the whole stall.
        assertTrue(h.valuesAreEquivalent(100, h.getValueAtPercentile(90)), "p90 " + h.getValueAtPercentile(90));
        assertTrue(h.getValueAtPercentile(91) >= 1000, "p91 " + h.getValueAtPercentile(91));
        assertTrue(h.valuesAreEquivalent(10_000, h.getMaxValue()));
        // Measured from the actual send (only one slow sample, the one in flight at the stall), it would be:
        Histogram naive = LatencyRecorder.newHistogram();
        for (int i = 0; i < n; i++) {
            naive.recordValue(i == 10 ? 10_000 : 100);
        }
        assertTrue(naive.valuesAreEquivalent(100, naive.getValueAtPercentile(99)),
                "the uncorrected view hides the stall below p99");
    }

    @Test
    @DisplayName("Back to back, a stamp before the intended time is clamped to 0 and counted; huge values clamp to the range")
    void clampsOutOfRange() {
        long[] intended = schedule(3, 1000);
        long[] d = {-5, 10, LatencyRecorder.HIGHEST + 1};
        LatencyRecorder r = LatencyRecorder.record(run(0, intended, Map.of(Stage.ISR, d)));
        assertEquals(2, r.clamped());
        assertEquals(0, r.histogram(Stage.ISR).getMinValue());
        assertTrue(r.histogram(Stage.ISR).valuesAreEquivalent(LatencyRecorder.HIGHEST, r.histogram(Stage.ISR).getMaxValue()));
    }

    @Test
    @DisplayName("Recording into a fixed-range histogram allocates nothing once warm")
    @SuppressWarnings("deprecation")
    void recordingDoesNotAllocate() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        mx.setThreadAllocatedMemoryEnabled(true);
        Histogram h = LatencyRecorder.newHistogram();
        long id = Thread.currentThread().getId();
        long sink = 0;
        // A per-call allocation would show in every round (200,000 calls). On a loaded machine the JIT's
        // OSR compilation can land in any early round and charge a few bytes once, so "once warm" means:
        // some round after the first allocates exactly nothing.
        StringBuilder rounds = new StringBuilder();
        for (int round = 0; round < 20; round++) {
            long before = mx.getThreadAllocatedBytes(id);
            for (long v = 1; v < 200_000; v++) {
                h.recordValue(v * 7919 % LatencyRecorder.HIGHEST);
            }
            sink += h.getTotalCount();
            long allocated = mx.getThreadAllocatedBytes(id) - before;
            rounds.append(allocated).append(' ');
            if (round > 0 && allocated == 0) {
                assertTrue(sink > 0);
                return;
            }
        }
        fail("every round of 200,000 recordValue calls allocated (bytes per round: " + rounds + ")");
    }
}
