package io.jahci.miniport;

/**
 * Why recovery runs, captured once at its start: the commands taken out of their slots and what
 * the ISR, the command timer and Reset flagged against them. Written at DIRQL by
 * {@link SlotTable#takeSlots}, then read by the recovery work item (PASSIVE), which is the only one
 * to use it until the next recovery. Preallocated per port: taking the slots allocates nothing.
 *
 * <p>The decisions drawn from it ({@link #ncqErrorOnly}, {@link #mustComreset},
 * {@link #unambiguous}) are pure functions of its fields.
 */
final class RecoveryCause {
    /** The taken commands, in slot order; the first {@link #count} are valid. */
    final AhciCommand[] commands = new AhciCommand[32];
    int count;
    /** Slots that held a command, and those of them that held a queued (NCQ) one. */
    int taken;
    int queued;
    /** PxIS error bits the ISR saw (§6.1), 0 if none. */
    int errors;
    /** Slots whose command was past its deadline. */
    int timeouts;
    /** The ISR saw PxIS.PCS or PRCS: a disk may have come or gone. */
    boolean linkChange;
    /** Reset (IdeHwReset) asked for a COMRESET. */
    boolean comreset;
    /** The ISR saw an interrupt storm and masked the port's interrupts ({@link InterruptStorm}). */
    boolean storm;

    /** Recovery is for a device error on queued commands only: no timeout, link change or Reset. */
    boolean ncqErrorOnly() {
        return queued != 0 && errors != 0 && timeouts == 0 && !linkChange && !comreset && !storm;
    }

    /**
     * Whether recovery must COMRESET: Reset asked, an interrupt storm, the link changed, a command timed out (the
     * device may still be working on it and DMA into its buffer later), or queued commands were
     * in flight (a device aborts every queued command after an NCQ error, and only a reset makes
     * sure none of them still moves data). A lone non-queued error needs only the engine restart.
     */
    boolean mustComreset() {
        return comreset || storm || linkChange || timeouts != 0 || queued != 0;
    }

    /** One non-queued command was in flight: an error is certainly its own. */
    boolean unambiguous() {
        return Integer.bitCount(taken) == 1 && queued == 0;
    }

    boolean timedOut(int slot) {
        return (timeouts & (1 << slot)) != 0;
    }
}
