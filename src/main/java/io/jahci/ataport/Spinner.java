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
 * classic 2-competitive rule for spin-then-block). Here a park/epoll wake-up costs 2-50 us (a few
 * us when the CPU is busy, tens of us when the vCPU was halted: docs/performance.md), so the window
 * is capped at {@link #ADAPTIVE_CAP_NANOS} = 50 us and starts at {@link #ADAPTIVE_PROBE_NANOS} = 2 us.
 * It changes only after a wait the spin missed (the thread blocked): if that wait was within the
 * cap, a longer spin would have caught it, so the window grows to twice that wait (at most the
 * cap); if it was longer than the cap, the spin was wasted, so the window halves (at least the
 * probe). A wait caught while spinning leaves it alone. Waits of two kinds (a worker that gets
 * a burst of short hand-offs, then a long idle gap) therefore spin about as long as the short
 * ones need, and only that long before each long gap.
 */
final class Spinner {
    static final long ADAPTIVE_CAP_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    static final long ADAPTIVE_PROBE_NANOS = TimeUnit.MICROSECONDS.toNanos(2);

    private final WaitMode mode;
    private long window;
    private long started;

    Spinner(WaitMode mode) {
        this.mode = mode;
        this.window = mode.adaptive() ? ADAPTIVE_PROBE_NANOS : mode.spinNanos();
    }

    WaitMode mode() {
        return mode;
    }

    /** How long the next wait spins before blocking. */
    long window() {
        return window;
    }

    /**
     * Polls {@code ready} until it returns true (returns true) or the window is over (returns
     * false: the caller blocks, then calls {@link #woke()}). Yields the CPU every
     * {@link WaitMode#YIELD_NANOS}.
     */
    boolean spin(BooleanSupplier ready) {
        long now = System.nanoTime();
        started = now;
        if (window == 0) {
            return false;
        }
        long lastYield = now;
        for (;;) {
            if (ready.getAsBoolean()) {
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

    /** The caller blocked after {@link #spin} returned false and has now been woken: adapts the window. */
    void woke() {
        if (mode.adaptive()) {
            adapt(System.nanoTime() - started);
        }
    }

    /** Adaptive hybrid: the window after a wait the spin missed, which took {@code waited} ns in all. */
    void adapt(long waited) {
        window = waited <= ADAPTIVE_CAP_NANOS ? Math.min(ADAPTIVE_CAP_NANOS, Math.max(window, 2 * waited))
                : Math.max(ADAPTIVE_PROBE_NANOS, window / 2);
    }
}
