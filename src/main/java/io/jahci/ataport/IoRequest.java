package io.jahci.ataport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A reusable request a caller submits to a {@link Channel}: an opaque miniport payload, a status
 * and a completion callback. Preallocate requests and resubmit them once complete; the port links
 * them intrusively into its queues, so submitting and completing allocates nothing.
 *
 * <pre>
 *            submit                      completeRequest             worker thread
 *   IDLE ------------------> PENDING ---------------------> COMPLETING ------------> IDLE
 *    ^   (BuildIo, StartIo,    (held by the miniport or       (on the channel's        |
 *    |    or the busy queue)    the channel's busy queue)      completion list)        |
 *    +------------------------- completion callback runs after the request is IDLE ---+
 * </pre>
 */
public final class IoRequest {
    static final int IDLE = 0;
    static final int PENDING = 1;
    static final int COMPLETING = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(IoRequest.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Object payload;
    private final IoCompletion completion;
    private volatile IoStatus status = IoStatus.NONE;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state = IDLE;
    /** Link in the channel's busy queue or completion list; guarded by that list's lock. */
    IoRequest next;
    /** A PASSIVE thread parked in {@link Channel#submitAndWait}, or null. */
    volatile Thread waiter;
    /** On the waiting thread: whether its wait in {@link Channel#submitAndWait} is over (a field: asking allocates nothing). */
    final java.util.function.BooleanSupplier waitOver = () -> waiter != Thread.currentThread();
    /** When a polling channel took it (for hybrid polling's mean service time). */
    long submittedAt;
    /** Whether its caller polls for it ({@link ChannelPolling#awaitPolled}) rather than the port's poller. */
    boolean callerPolls;

    /** @param completion called when the request completes; null when only waited for */
    public IoRequest(Object payload, IoCompletion completion) {
        this.payload = payload;
        this.completion = completion;
    }

    /** The miniport's payload (its command description). */
    public Object payload() {
        return payload;
    }

    /** Replaces the payload; only while the request is idle. */
    public void setPayload(Object payload) {
        if (state != IDLE) {
            throw new IllegalStateException("cannot change the payload of a request in flight");
        }
        this.payload = payload;
    }

    /**
     * Says whether the submitter will wait for this request in {@link ChannelPolling#awaitPolled} (a
     * synchronous call) or not (the port's poller thread then watches it). Matters only when the
     * channel's {@link CompletionMode} polls. Only while the request is idle.
     */
    public void setCallerPolls(boolean polls) {
        if (state != IDLE) {
            throw new IllegalStateException("cannot change who polls for a request in flight");
        }
        this.callerPolls = polls;
    }

    public IoStatus status() {
        return status;
    }

    /** True while the request is submitted and not yet handed back to the caller. */
    public boolean inFlight() {
        return state != IDLE;
    }

    IoCompletion completion() {
        return completion;
    }

    /** IDLE to PENDING, or throws: a request cannot be in two queues at once. */
    void markSubmitted() {
        if (!STATE.compareAndSet(this, IDLE, PENDING)) {
            throw new IllegalStateException("request " + this + " is already in flight; submit it again after it completed");
        }
        status = IoStatus.NONE;
    }

    /** PENDING to COMPLETING with the final status, or throws: completing twice would corrupt the list. */
    void markCompleting(IoStatus finalStatus) {
        if (!STATE.compareAndSet(this, PENDING, COMPLETING)) {
            throw new IllegalStateException("request " + this + " completed twice or never submitted");
        }
        status = finalStatus;
    }

    void markIdle() {
        state = IDLE;
    }
}
