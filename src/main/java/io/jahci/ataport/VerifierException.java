package io.jahci.ataport;

/**
 * A port-layer rule broken by a miniport or a caller, in the spirit of Driver Verifier's bug
 * checks. It is thrown whether or not the {@link Verifier} is enabled: every rule below is checked
 * always. It names the rule, the routine or port service, the expected and actual level (or
 * work-item or channel state) and the thread, for example:
 *
 * <pre>
 * jahci verifier: BLOCKING_CALL_AT_RAISED_LEVEL in Channel.submitAndWait: expected PASSIVE, actual DISPATCH
 * on thread jahci-dispatch-0 (a call that may park must be made from a thread that may block)
 * </pre>
 *
 * <p>The call that throws it changes nothing: a request it refused stays idle, a worker keeps its
 * state.
 */
public final class VerifierException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** The rules the port layer enforces; docs/port-layer.md lists them with examples. */
    public enum Rule {
        WRONG_LEVEL("a port service or routine was called above the level it allows"),
        BLOCKING_CALL_AT_RAISED_LEVEL("a call that may park must be made from a thread that may block"),
        QUEUE_FREED_WORKER("a worker freed with freeWorker can no longer be queued"),
        QUEUE_QUEUED_WORKER("a worker that is queued and not yet started cannot be queued again"),
        FREE_FREED_WORKER("a worker can be freed once"),
        FREE_REQUEUED_WORKER("a callback that queued its own worker again cannot free it: free it in the next run"),
        SERVICE_ON_STOPPED_CHANNEL("port services are for a started channel: start() it first, or stop using it"),
        CHANNEL_LOCK_ALREADY_OWNED("a routine that holds the channel lock called a service that takes it again"
                + " (it would deadlock)"),
        INTERRUPT_THREAD_WAIT("the interrupt thread runs the ISRs of its source and never waits for a channel lock:"
                + " call this from a work item or a caller's thread");

        private final String explanation;

        Rule(String explanation) {
            this.explanation = explanation;
        }

        public String explanation() {
            return explanation;
        }
    }

    private final Rule rule;
    private final String routine;
    private final String expected;
    private final String actual;
    private final String thread;

    VerifierException(Rule rule, String routine, String expected, String actual, String thread) {
        super("jahci verifier: " + rule + " in " + routine + ": expected " + expected + ", actual " + actual
                + " on thread " + thread + " (" + rule.explanation() + ")");
        this.rule = rule;
        this.routine = routine;
        this.expected = expected;
        this.actual = actual;
        this.thread = thread;
    }

    public Rule rule() {
        return rule;
    }

    public String routine() {
        return routine;
    }

    public String expected() {
        return expected;
    }

    public String actual() {
        return actual;
    }

    public String thread() {
        return thread;
    }
}
