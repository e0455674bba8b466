package io.jahci.ataport;

/**
 * A verifier finding that is suspicious but not fatal: a routine at DIRQL (holding the interrupt
 * lock, so holding off the ISRs of its source) that ran longer than the budget.
 *
 * @param kind which budget was exceeded
 * @param routine e.g. {@code IdeHwInterrupt of channel 0}, or {@code synchronized routine
 *     io.jahci.miniport.SlotTable$$Lambda... of channel 0}
 * @param durationNanos how long it ran
 * @param budgetNanos the configured budget ({@link PortDriverOptions#isrBudget})
 * @param thread the thread it ran on
 */
public record VerifierWarning(Kind kind, String routine, long durationNanos, long budgetNanos, String thread) {
    /** What ran too long. */
    public enum Kind {
        /** The ISR (IdeHwInterrupt). */
        ISR_OVER_BUDGET,
        /** A synchronized routine (AtaPortRequestSynchronizedRoutine), run outside the ISR. */
        SYNCHRONIZED_ROUTINE_OVER_BUDGET
    }

    @Override
    public String toString() {
        return "jahci verifier: " + kind + " in " + routine + ": ran " + durationNanos / 1000 + " us, budget "
                + budgetNanos / 1000 + " us, on thread " + thread;
    }
}
