package io.jahci.ataport;

/**
 * A verifier finding that is suspicious but not fatal: an ISR that ran longer than the budget.
 *
 * @param routine e.g. {@code IdeHwInterrupt of channel 0}
 * @param durationNanos how long it ran
 * @param budgetNanos the configured budget
 * @param thread the interrupt thread
 */
public record VerifierWarning(String routine, long durationNanos, long budgetNanos, String thread) {
    @Override
    public String toString() {
        return "jahci verifier: ISR_OVER_BUDGET in " + routine + ": ran " + durationNanos / 1000 + " us, budget "
                + budgetNanos / 1000 + " us, on thread " + thread;
    }
}
