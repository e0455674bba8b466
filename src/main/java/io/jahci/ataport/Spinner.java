package io.jahci.ataport;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The spinning half of a {@link WaitMode}, for one waiting thread (not thread safe; one per
 * thread, preallocated; allocates nothing).
 *
 * <p>A wait is: {@link #spin} (which returns true if the condition came true while spinning), and
 * if it returned false, the caller blocks and then calls {@link #woke()}.
 *
 * <p><b>Adaptive hybrid window.</b> Spinning pays only when the wait is shorter than what a
 * block and wake-up cost: spinning longer than that cost can at most double the CPU spent (the
 * classic 2-competitive rule for spin-then-block). Here a park/epoll wake-up costs 2-50 µs (a few
 * µs when the CPU is busy, tens of µs when the vCPU was halted: README Performance), so the window
 * is capped at {@link #ADAPTIVE_CAP_NANOS} = 50 µs. The thread keeps an average of its recent waits
 * (exponential, weight 1/8, each wait counted up to twice the cap). If that average is under the
 * cap, it spins for twice the average (catching most waits near the average), at most the cap;
 * otherwise the events come too rarely to spin for, and it spins only
 * {@link #ADAPTIVE_PROBE_NANOS} (so that a burst is noticed: its short waits pull the average down).
 */
final class Spinner {
    static final long ADAPTIVE_CAP_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    static final long ADAPTIVE_PROBE_NANOS = TimeUnit.MICROSECONDS.toNanos(2);

    private final WaitMode mode;
    private long averageWait;
    private long started;

    Spinner(WaitMode mode) {
        this.mode = mode;
        this.averageWait = ADAPTIVE_CAP_NANOS * 2;
    }

    WaitMode mode() {
        return mode;
    }

    /** How long the next wait spins before blocking. */
    long window() {
        if (!mode.adaptive()) {
            return mode.spinNanos();
        }
        return averageWait < ADAPTIVE_CAP_NANOS ? Math.min(ADAPTIVE_CAP_NANOS, 2 * averageWait) : ADAPTIVE_PROBE_NANOS;
    }

    /**
     * Polls {@code ready} until it returns true (returns true) or the window is over (returns
     * false: the caller blocks, then calls {@link #woke()}). Yields the CPU every
     * {@link WaitMode#YIELD_NANOS}.
     */
    boolean spin(BooleanSupplier ready) {
        long window = window();
        long now = System.nanoTime();
        started = now;
        if (window == 0) {
            return false;
        }
        long lastYield = now;
        for (;;) {
            if (ready.getAsBoolean()) {
                record(System.nanoTime() - started);
                return true;
            }
            Thread.onSpinWait();
            now = System.nanoTime();
            if (now - started >= window) {
                return false;
            }
            if (now - lastYield >= WaitMode.YIELD_NANOS) {
                Thread.yield();
                lastYield = now;
            }
        }
    }

    /** The caller blocked after {@link #spin} returned false and has now been woken. */
    void woke() {
        record(System.nanoTime() - started);
    }

    private void record(long waited) {
        if (mode.adaptive()) {
            long w = Math.min(waited, 2 * ADAPTIVE_CAP_NANOS);
            averageWait += (w - averageWait) / 8;
        }
    }
}
