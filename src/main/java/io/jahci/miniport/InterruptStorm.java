package io.jahci.miniport;

/**
 * Detects an interrupt storm on one port: {@link #STORM_INTERRUPTS} interrupts in a row that made no
 * progress (completed no command, flagged no error or link change) within a window: at least
 * {@link #MIN_WINDOW_NANOS}, longer on a transport whose register accesses are slow (an ISR of
 * QEMU's over qtest takes a millisecond), so a storm is a storm on every transport.
 * That happens when a PxIS bit (or the port's HBA IS bit) cannot be cleared, or the line keeps
 * firing with nothing to do; the port's interrupts are then masked and recovery runs (AHCI 1.3.1
 * §10.7.2 expects each PxIS bit to clear when written with one).
 *
 * <p>Every interrupt without progress also counts as spurious, a port statistic. A real port
 * makes them now and then (an ISR that already completed a command sees its interrupt later),
 * never a thousand in a row. Used at DIRQL under the interrupt lock; allocates nothing.
 */
final class InterruptStorm {
    /** How many interrupts in a row without progress make a storm. */
    static final int STORM_INTERRUPTS = 1_000;
    /** The shortest window: a slow trickle of interrupts is not a storm. */
    static final long MIN_WINDOW_NANOS = 1_000_000_000L;
    /** Storms after which recovery gives the port up instead of trying again. */
    static final int MAX_STORMS = 3;

    private final long windowNanos;
    private int inARow;
    private long since;
    private volatile long spurious;
    private volatile int storms;

    /** @param registerAccessNanos how long one register access takes on this transport */
    InterruptStorm(long registerAccessNanos) {
        this.windowNanos = Math.max(MIN_WINDOW_NANOS, STORM_INTERRUPTS * 20 * registerAccessNanos);
    }

    /** An interrupt did something: the count starts again. */
    void progress() {
        inARow = 0;
    }

    /**
     * An interrupt did nothing. Returns true when that makes a storm (the count then starts
     * again and {@link #storms()} grows).
     */
    boolean noProgress(long now) {
        spurious++;
        if (inARow == 0 || now - since > windowNanos) {
            inARow = 1;
            since = now;
            return false;
        }
        if (++inARow < STORM_INTERRUPTS) {
            return false;
        }
        inARow = 0;
        storms++;
        return true;
    }

    /** Interrupts that made no progress, since start. Any level. */
    long spurious() {
        return spurious;
    }

    /** Whether the port was given up after {@link #MAX_STORMS}: later storms are not acted on. */
    boolean givenUp() {
        return storms > MAX_STORMS;
    }

    /** Storms detected since start. Any level. */
    int storms() {
        return storms;
    }
}
