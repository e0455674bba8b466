package io.jahci.ataport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The port layer's Driver Verifier. Misuse is an error in every mode: the cheap checks are always
 * on and throw a {@link VerifierException} naming the rule; enabling the verifier
 * ({@code --verifier}, system property {@code jahci.verifier}, {@link PortDriverOptions#verifier})
 * adds the costly ones.
 *
 * <p>Always on (each costs a read of the calling thread's level, {@link Irql#current()}, or of a
 * field the call reads anyway, and allocates nothing unless it fails):
 * <ul>
 *   <li>{@link VerifierException.Rule#WRONG_LEVEL}: a service called above the level it allows
 *       ({@code queueWorkItem} from the ISR, {@code submit} from a synchronized routine);
 *   <li>{@link VerifierException.Rule#BLOCKING_CALL_AT_RAISED_LEVEL}: a call that may park at
 *       DISPATCH or DIRQL, including the miniport's own sleeps through {@link #mightSleep} (Linux's
 *       {@code might_sleep});
 *   <li>{@link VerifierException.Rule#QUEUE_FREED_WORKER}, {@link VerifierException.Rule#QUEUE_QUEUED_WORKER},
 *       {@link VerifierException.Rule#FREE_FREED_WORKER}, {@link VerifierException.Rule#FREE_REQUEUED_WORKER}:
 *       the work-item state machine drawn in {@link WorkItems};
 *   <li>{@link VerifierException.Rule#SERVICE_ON_STOPPED_CHANNEL}: a port service on a channel
 *       that is not started (see {@link ChannelState});
 *   <li>{@link VerifierException.Rule#CHANNEL_LOCK_ALREADY_OWNED}: a routine holding its channel
 *       lock calls a service that takes it again;
 *   <li>{@link VerifierException.Rule#INTERRUPT_THREAD_WAIT}: a completion callback on the interrupt
 *       thread calls a service that waits for a channel lock (reset, powerUp/Down).
 * </ul>
 *
 * <p>Only when enabled (costly: two clock reads per ISR and per synchronized routine, and an
 * allocation when it fires): an ISR, or a synchronized routine requested outside the ISR, that runs
 * longer than {@link PortDriverOptions#isrBudget} becomes a {@link VerifierWarning} naming it,
 * recorded and logged, not an exception.
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

    /** Whether the costly checks are on; the cheap ones always are. */
    public boolean enabled() {
        return enabled;
    }

    /** The warnings recorded so far (ISRs over budget). */
    public List<VerifierWarning> warnings() {
        return List.copyOf(warnings);
    }

    /**
     * Rule BLOCKING_CALL_AT_RAISED_LEVEL, Linux's {@code might_sleep}: call it before anything that
     * may sleep or park ({@code routine} names it, e.g. {@code "Poll.until"}). Throws unless the
     * calling thread is at PASSIVE. Always on; any level; allocates nothing unless it throws.
     *
     * @throws VerifierException at DISPATCH or DIRQL
     */
    public static void mightSleep(String routine) {
        Irql actual = Irql.current();
        if (actual != Irql.PASSIVE) {
            throw violation(VerifierException.Rule.BLOCKING_CALL_AT_RAISED_LEVEL, routine, "PASSIVE", actual.toString());
        }
    }

    /** Rule WRONG_LEVEL: {@code routine} may be called at {@code highest} or below. Always on. */
    static void checkAtMost(String routine, Irql highest) {
        Irql actual = Irql.current();
        if (actual.isAbove(highest)) {
            throw violation(VerifierException.Rule.WRONG_LEVEL, routine,
                    highest == Irql.PASSIVE ? "PASSIVE" : "<= " + highest, actual.toString());
        }
    }

    /** A broken rule, to throw; the message names the calling thread. */
    static VerifierException violation(VerifierException.Rule rule, String routine, String expected, String actual) {
        return new VerifierException(rule, routine, expected, actual, Thread.currentThread().getName());
    }

    /** Whether ISR durations should be measured (costly check); the caller reads the clock only then. */
    boolean timesIsr() {
        return enabled;
    }

    /** Records a warning if an ISR ran longer than the budget. Allocates only when it warns. */
    void isrFinished(Channel<?> channel, long durationNanos) {
        if (durationNanos > isrBudgetNanos) {
            warn(VerifierWarning.Kind.ISR_OVER_BUDGET, "IdeHwInterrupt of " + channel, durationNanos);
        }
    }

    /**
     * Records a warning if a synchronized routine (requested outside the ISR, so timed on its own)
     * held the interrupt lock longer than the budget the ISR has: it holds off every ISR of the
     * source just as long. Allocates only when it warns.
     */
    void synchronizedRoutineFinished(Channel<?> channel, ChannelRoutine<?> routine, long durationNanos) {
        if (durationNanos > isrBudgetNanos) {
            warn(VerifierWarning.Kind.SYNCHRONIZED_ROUTINE_OVER_BUDGET, "synchronized routine " + routine + " of " + channel,
                    durationNanos);
        }
    }

    /**
     * Records a warning if a controller-wide synchronized routine held the interrupt locks longer than the
     * ISR's budget: it holds off every ISR of the controller just as long. Allocates only when it warns.
     */
    void controllerRoutineFinished(ControllerRoutine<?> routine, long durationNanos) {
        if (durationNanos > isrBudgetNanos) {
            warn(VerifierWarning.Kind.SYNCHRONIZED_ROUTINE_OVER_BUDGET, "controller synchronized routine " + routine,
                    durationNanos);
        }
    }

    private void warn(VerifierWarning.Kind kind, String routine, long durationNanos) {
        VerifierWarning w = new VerifierWarning(kind, routine, durationNanos, isrBudgetNanos, Thread.currentThread().getName());
        warnings.add(w);
        LOG.log(System.Logger.Level.WARNING, w.toString());
    }
}
