package io.jahci.bench;

/**
 * Completions per fixed interval of one {@link IoBench} run, so that warm-up and stalls show: slot {@code i} counts
 * the requests that completed in [i, i+1) intervals after the run began; the last slot also takes the requests that
 * completed while the run drained after its end. The slots are allocated up front: recording allocates nothing.
 *
 * <p>{@link #record} is called from completion context (any thread) under the caller's lock; the rest after the run.
 */
public final class IoTimeline {
    /** The interval: 100 ms. */
    public static final long INTERVAL_NANOS = 100_000_000L;

    private final long start;
    private final long[] completions;
    private long end;

    /** Slots for a run of {@code durationNanos} that began at {@code start} ({@link System#nanoTime()}). */
    public IoTimeline(long start, long durationNanos) {
        this.start = start;
        this.completions = new long[(int) Math.max(1, (durationNanos + INTERVAL_NANOS - 1) / INTERVAL_NANOS)];
        this.end = start + durationNanos;
    }

    /** One request completed at {@code now} ({@link System#nanoTime()}). */
    public void record(long now) {
        long slot = (now - start) / INTERVAL_NANOS;
        completions[(int) Math.max(0, Math.min(completions.length - 1, slot))]++;
    }

    /** The run ended (its last request completed) at {@code now}. */
    public void finish(long now) {
        end = Math.max(now, start + (completions.length - 1) * INTERVAL_NANOS + 1);
    }

    public int intervals() {
        return completions.length;
    }

    /** Requests completed in slot {@code i}. */
    public long completions(int i) {
        return completions[i];
    }

    /** When slot {@code i} began, in seconds after the run began. */
    public double startSeconds(int i) {
        return i * INTERVAL_NANOS / 1e9;
    }

    /** Slot {@code i}'s length in seconds: one interval, the last one up to the end of the run. */
    public double seconds(int i) {
        return i < completions.length - 1 ? INTERVAL_NANOS / 1e9 : (end - start - i * INTERVAL_NANOS) / 1e9;
    }

    /** Completions per second in slot {@code i}. */
    public double iops(int i) {
        return completions[i] / seconds(i);
    }

    /** Every request counted. */
    public long total() {
        long sum = 0;
        for (long c : completions) {
            sum += c;
        }
        return sum;
    }
}
