package io.jahci.ataport;

/**
 * Where a {@link Channel} is in its life.
 *
 * <p>The transitions happen in {@link Channel#start()} and {@link Channel#stop()}; every service
 * checks the state (rule {@link VerifierException.Rule#SERVICE_ON_STOPPED_CHANNEL}):
 *
 * <pre>
 *            start()            StartChannel true               stop()           StopChannel returned
 *  STOPPED ----------> STARTING -------------------> STARTED ----------> STOPPING --------------------> STOPPED
 *     ^                   |  StartChannel false         |
 *     +-------------------+-----------------------------+ Initialize false (or either threw)
 *
 *  state      ISR called   submit, reset, powerUp/Down, stop   worker/synchronized routine, timer, completeRequest, NextRequest
 *  STOPPED    no           SERVICE_ON_STOPPED_CHANNEL          SERVICE_ON_STOPPED_CHANNEL
 *  STARTING   no           SERVICE_ON_STOPPED_CHANNEL          yes (from StartChannel)
 *  STARTED    yes          yes                                 yes
 *  STOPPING   no           SERVICE_ON_STOPPED_CHANNEL          yes (draining: routines and completions already queued, StopChannel)
 * </pre>
 */
public enum ChannelState {
    /** Created, start failed, or stopped: no ISR, no services. */
    STOPPED,
    /** Control(StartChannel) is running: services allowed, no ISR, no submit yet. */
    STARTING,
    /** Initialize and after: the ISR is called, requests are accepted. */
    STARTED,
    /** stop() is draining deferred work and calling Control(StopChannel): services allowed, no ISR, no submit. */
    STOPPING
}
