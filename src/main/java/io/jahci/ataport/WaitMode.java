package io.jahci.ataport;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * How the interrupt thread waits for the next interrupt and how an idle DISPATCH worker waits for
 * the next task ({@code --wait}):
 *
 * <table>
 * <caption>wait modes</caption>
 * <tr><th>mode</th><th>interrupt thread</th><th>DISPATCH worker</th></tr>
 * <tr><td>{@code block}</td><td>epoll_wait(-1)</td><td>parks until a producer unparks it</td></tr>
 * <tr><td>{@code spin}</td><td>epoll_wait(0) in a loop</td><td>polls its queue's head in a loop</td></tr>
 * <tr><td>{@code hybrid[:MICROS]}</td><td colspan="2">spins for MICROS, then blocks; without MICROS the
 * window adapts (see {@link Spinner})</td></tr>
 * </table>
 *
 * <p>A spinning thread calls {@link Thread#yield()} every {@link #YIELD_NANOS}: under SCHED_FIFO a
 * thread of the same priority pinned to the same CPU (say {@code --pin irq=1,dispatch=1}) could not
 * run otherwise until the spinner blocks. Work-item and timer threads always block.
 */
public final class WaitMode {
    /** The kinds of wait. */
    public enum Kind { BLOCK, SPIN, HYBRID }

    /** A spinning thread yields its CPU this often. */
    public static final long YIELD_NANOS = TimeUnit.MICROSECONDS.toNanos(10);
    /** The longest hybrid spin: see {@link Spinner} for why. */
    public static final long MAX_HYBRID_NANOS = TimeUnit.MICROSECONDS.toNanos(1000);

    public static final WaitMode BLOCK = new WaitMode(Kind.BLOCK, 0);
    public static final WaitMode SPIN = new WaitMode(Kind.SPIN, Long.MAX_VALUE);
    /** Hybrid with the adaptive window. */
    public static final WaitMode HYBRID = new WaitMode(Kind.HYBRID, 0);

    private final Kind kind;
    private final long spinNanos;

    private WaitMode(Kind kind, long spinNanos) {
        this.kind = kind;
        this.spinNanos = spinNanos;
    }

    /** Spin for {@code micros} us, then block. */
    public static WaitMode hybrid(long micros) {
        long nanos = TimeUnit.MICROSECONDS.toNanos(micros);
        if (micros < 1 || nanos > MAX_HYBRID_NANOS) {
            throw new IllegalArgumentException("--wait hybrid:MICROS must be 1.." + MAX_HYBRID_NANOS / 1000 + " us, not "
                    + micros);
        }
        return new WaitMode(Kind.HYBRID, nanos);
    }

    /** Parses {@code block}, {@code spin}, {@code hybrid} or {@code hybrid:MICROS}. */
    public static WaitMode parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("block")) {
            return BLOCK;
        }
        if (t.equals("spin")) {
            return SPIN;
        }
        if (t.equals("hybrid")) {
            return HYBRID;
        }
        if (t.startsWith("hybrid:")) {
            try {
                return hybrid(Long.parseLong(t.substring("hybrid:".length())));
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new IllegalArgumentException("--wait " + text + ": use block, spin, hybrid or hybrid:MICROS (e.g. hybrid:20)");
    }

    public Kind kind() {
        return kind;
    }

    /** The fixed hybrid spin, {@link Long#MAX_VALUE} for spin, 0 for block and for adaptive hybrid. */
    public long spinNanos() {
        return spinNanos;
    }

    /** Adaptive hybrid: the window follows the recent waits. */
    public boolean adaptive() {
        return kind == Kind.HYBRID && spinNanos == 0;
    }

    /** As given on the command line: {@code block}, {@code spin}, {@code hybrid}, {@code hybrid:20}. */
    @Override
    public String toString() {
        switch (kind) {
            case BLOCK: return "block";
            case SPIN: return "spin";
            default: return adaptive() ? "hybrid" : "hybrid:" + TimeUnit.NANOSECONDS.toMicros(spinNanos);
        }
    }
}
