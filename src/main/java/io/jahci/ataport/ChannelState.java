package io.jahci.ataport;

/**
 * Where a {@link Channel} is in its life. The transitions happen in {@link Channel#start()} and
 * {@link Channel#stop()} (the steps are in {@code ChannelLifecycle}), in this order:
 *
 * <pre>
 *          start()             StartChannel true       Initialize true
 * STOPPED ---------> STARTING -----------------> INITIALIZING -----------------> STARTED
 *    ^                  |                              |                            |
 *    | StartChannel     | drain deferred work,         | Initialize false/threw:    | stop()
 *    | false/threw:     | cancel the timer             v                            v
 *    +------------------+                         STOPPING <------------------------+
 *    |                                               |  wait for a running ISR; abort the busy queue;
 *    +-----------------------------------------------+  cancel the timer; drain deferred work;
 *                        StopChannel returned           Control(StopChannel)
 *
 *  state         ISR called  submit, reset, powerUp/Down, stop  worker/synchronized routine, timer, completeRequest, NextRequest
 *  STOPPED       no          SERVICE_ON_STOPPED_CHANNEL         SERVICE_ON_STOPPED_CHANNEL
 *  STARTING      no          SERVICE_ON_STOPPED_CHANNEL         yes (from StartChannel)
 *  INITIALIZING  yes         SERVICE_ON_STOPPED_CHANNEL         yes (from Initialize, and the ISR)
 *  STARTED       yes         yes                                yes
 *  STOPPING      no          SERVICE_ON_STOPPED_CHANNEL         yes (draining: routines and completions already queued, StopChannel)
 * </pre>
 *
 * <p>What each edge guarantees: nothing is accepted before Initialize returned true; from STOPPING
 * on no ISR starts and no request reaches StartIo (a submit that passed its check before, still in
 * BuildIo, finds the state changed under the channel lock and its request completes ABORTED);
 * stop() returns only after a running ISR returned; a failed start undoes itself (StopChannel if
 * StartChannel had succeeded) and leaves STOPPED with no deferred work and no timer. The
 * table lives here and in docs/port-layer.md ("Channel life cycle").
 */
public enum ChannelState {
    /** Created, start failed, or stopped: no ISR, no services. */
    STOPPED(false, false, false),
    /** Control(StartChannel) is running: services allowed, no ISR, no submit yet. */
    STARTING(false, false, true),
    /** Initialize is running: the ISR is called (it may overlap Initialize without SyncWithIsr), no submit yet. */
    INITIALIZING(true, false, true),
    /** Initialize returned true: the ISR is called, requests are accepted. */
    STARTED(true, true, true),
    /** stop() or a failed start is draining deferred work and calling Control(StopChannel): services allowed, no ISR, no submit. */
    STOPPING(false, false, true);

    private final boolean callsIsr;
    private final boolean accepts;
    private final boolean services;

    ChannelState(boolean callsIsr, boolean accepts, boolean services) {
        this.callsIsr = callsIsr;
        this.accepts = accepts;
        this.services = services;
    }

    /** Whether the ISR is called for the channel in this state. */
    public boolean callsIsr() {
        return callsIsr;
    }

    /** Whether requests are accepted (submit, and StartIo for those queued): STARTED only. */
    public boolean acceptsRequests() {
        return accepts;
    }

    /** Whether the port services (worker/synchronized routines, timer, completeRequest, NextRequest) are allowed. */
    public boolean allowsServices() {
        return services;
    }
}
