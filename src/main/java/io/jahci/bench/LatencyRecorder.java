package io.jahci.bench;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Turns a {@link RawRun} into one HdrHistogram per stage, with the same code for Java and C.
 *
 * <p><b>Coordinated omission.</b> Each value is {@code stamp[stage][i] - intended[i]}: latency
 * from the time event {@code i} was <em>scheduled</em> to be sent (t0 + i/rate), not from when
 * the stimulus got round to sending it. A stalled stimulus or pipeline therefore shows up in the
 * latencies of every event that should have been sent during the stall, which is what
 * {@code Histogram.recordValueWithExpectedInterval} approximates after the fact for a stimulus that
 * only knows actual send times. Since the intended time is known exactly, values are recorded
 * with plain {@code recordValue}; applying {@code recordValueWithExpectedInterval} on top would
 * count the stall twice. Back to back ({@code --rate max}) there is no schedule: event i+1 is
 * intended when the stimulus saw event i finish, so nothing can be omitted and the same code
 * records latency from that moment.
 *
 * <p>Histograms track 1 ns to 1 hour at 3 significant digits, fixed up front (no auto-resize), so
 * recording never allocates. A value below 0 (never expected: every stamp is taken after the
 * intended time on one monotonic clock) is recorded as 0 and counted in {@link #clamped()}.
 */
public final class LatencyRecorder {
    /** The largest value a histogram tracks: one hour in ns. Larger values are clamped to it. */
    public static final long HIGHEST = TimeUnit.HOURS.toNanos(1);
    public static final int DIGITS = 3;

    private final Map<Stage, Histogram> histograms = new EnumMap<>(Stage.class);
    private long clamped;

    /** A histogram with the fixed range every stage uses. */
    public static Histogram newHistogram() {
        return new Histogram(1, HIGHEST, DIGITS);
    }

    /** Records every measured event of {@code run} for each stage it has stamps for. */
    public static LatencyRecorder record(RawRun run) {
        LatencyRecorder r = new LatencyRecorder();
        for (Map.Entry<Stage, long[]> e : run.stamps.entrySet()) {
            Histogram h = newHistogram();
            long[] stamps = e.getValue();
            for (int i = run.warmup; i < run.total; i++) {
                r.recordInto(h, stamps[i] - run.intended[i]);
            }
            r.histograms.put(e.getKey(), h);
        }
        return r;
    }

    private void recordInto(Histogram h, long value) {
        if (value < 0 || value > HIGHEST) {
            clamped++;
            value = value < 0 ? 0 : HIGHEST;
        }
        h.recordValue(value);
    }

    public Map<Stage, Histogram> histograms() {
        return histograms;
    }

    public Histogram histogram(Stage stage) {
        return histograms.get(stage);
    }

    /** Per-stage summaries, in stage order. */
    public Map<Stage, StageStats> stats() {
        Map<Stage, StageStats> out = new EnumMap<>(Stage.class);
        histograms.forEach((s, h) -> out.put(s, StageStats.of(h)));
        return out;
    }

    /** Values outside [0, {@link #HIGHEST}] that were clamped into it. */
    public long clamped() {
        return clamped;
    }
}
