package io.jahci.ataport;

/**
 * A port-layer rule broken by a miniport or a caller, found by the {@link Verifier}, in the spirit
 * of Driver Verifier's bug checks. It names the rule, the routine or port service, the expected
 * and actual level (or work-item state) and the thread, for example:
 *
 * <pre>
 * jahci verifier: BLOCKING_CALL_AT_RAISED_LEVEL in Channel.submitAndWait: expected PASSIVE, actual DISPATCH
 * on thread jahci-dispatch-0 (a call that may park must be made from a thread that may block)
 * </pre>
 */
public final class VerifierException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** The rules the verifier enforces. */
    public enum Rule {
        WRONG_LEVEL("a port service or routine was called above the level it allows"),
        BLOCKING_CALL_AT_RAISED_LEVEL("a call that may park must be made from a thread that may block"),
        QUEUE_FREED_WORKER("a worker freed with freeWorker can no longer be queued"),
        QUEUE_QUEUED_WORKER("a worker that is queued and not yet started cannot be queued again");

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
        super(message(rule, routine, expected, actual, thread));
        this.rule = rule;
        this.routine = routine;
        this.expected = expected;
        this.actual = actual;
        this.thread = thread;
    }

    static String message(Rule rule, String routine, String expected, String actual, String thread) {
        return "jahci verifier: " + rule + " in " + routine + ": expected " + expected + ", actual " + actual
                + " on thread " + thread + " (" + rule.explanation() + ")";
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
