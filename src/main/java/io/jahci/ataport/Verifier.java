package io.jahci.ataport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The port layer's Driver Verifier. When enabled it checks, at the entry of every port service and
 * miniport routine call, the level of the calling thread ({@link Irql#current()}), and reports
 * misuse with a {@link VerifierException}; an ISR that runs longer than the budget becomes a
 * {@link VerifierWarning}, recorded and logged. When disabled, every check is one test of a final
 * boolean; misuse that would corrupt state (queuing a freed or queued worker, submitting a request
 * twice) still throws {@link IllegalStateException}.
 *
 * <p>The checks allocate nothing unless they fail.
 */
public final class Verifier {
    private static final System.Logger LOG = System.getLogger("io.jahci.ataport.verifier");

    private final boolean enabled;
    private final long isrBudgetNanos;
    private final List<VerifierWarning> warnings = new CopyOnWriteArrayList<>();

    Verifier(boolean enabled, long isrBudgetNanos) {
        this.enabled = enabled;
        this.isrBudgetNanos = isrBudgetNanos;
    }

    public boolean enabled() {
        return enabled;
    }

    /** The warnings recorded so far (ISRs over budget). */
    public List<VerifierWarning> warnings() {
        return List.copyOf(warnings);
    }

    /** Rule WRONG_LEVEL: {@code routine} may be called at {@code highest} or below. */
    void checkAtMost(String routine, Irql highest) {
        if (enabled) {
            Irql actual = Irql.current();
            if (actual.isAbove(highest)) {
                throw violation(VerifierException.Rule.WRONG_LEVEL, routine,
                        highest == Irql.PASSIVE ? "PASSIVE" : "<= " + highest, actual.toString());
            }
        }
    }

    /** Rule BLOCKING_CALL_AT_RAISED_LEVEL: {@code routine} may park, so it needs PASSIVE. */
    void checkMayBlock(String routine) {
        if (enabled) {
            Irql actual = Irql.current();
            if (actual != Irql.PASSIVE) {
                throw violation(VerifierException.Rule.BLOCKING_CALL_AT_RAISED_LEVEL, routine, "PASSIVE",
                        actual.toString());
            }
        }
    }

    /**
     * A state-corrupting misuse: a {@link VerifierException} when enabled, otherwise a plain
     * {@link IllegalStateException} with the same message.
     */
    IllegalStateException misuse(VerifierException.Rule rule, String routine, String expected, String actual) {
        if (enabled) {
            return violation(rule, routine, expected, actual);
        }
        return new IllegalStateException(
                VerifierException.message(rule, routine, expected, actual, Thread.currentThread().getName()));
    }

    /** Whether ISR durations should be measured; the caller reads the clock only then. */
    boolean timesIsr() {
        return enabled;
    }

    /** Records a warning if an ISR ran longer than the budget. Allocates only when it warns. */
    void isrFinished(Channel<?> channel, long durationNanos) {
        if (durationNanos > isrBudgetNanos) {
            VerifierWarning w = new VerifierWarning("IdeHwInterrupt of " + channel, durationNanos, isrBudgetNanos,
                    Thread.currentThread().getName());
            warnings.add(w);
            LOG.log(System.Logger.Level.WARNING, w.toString());
        }
    }

    private static VerifierException violation(VerifierException.Rule rule, String routine, String expected,
            String actual) {
        return new VerifierException(rule, routine, expected, actual, Thread.currentThread().getName());
    }
}
