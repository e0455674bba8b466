package io.jahci.bench;

/**
 * The points of the interrupt path an event's latency is measured at, each from the event's
 * intended send time (see {@link LatencyRecorder}). Java and the C baseline share the names.
 */
public enum Stage {
    /** The stimulus wrote the eventfd (how late the stimulus itself was). */
    SEND("send"),
    /** With a device: StartIo returned, the command is in its slot and PxCI was written ({@code LatencyProbe.startIoReturned}). */
    DOORBELL("doorbell"),
    /** The interrupt thread returned from epoll ({@code LatencyProbe.interruptWake}). */
    WAKE("wake"),
    /** Inside the ISR, under the interrupt lock. */
    ISR("isr"),
    /** Inside the worker routine (DISPATCH, channel lock); with a device: the completion dispatch. */
    WORKER("worker"),
    /** Inside the synchronized routine the worker routine requested (interrupt lock). */
    SYNCHRONIZED("synchronized"),
    /** Inside the Storport work item the worker routine queued (PASSIVE). */
    WORKITEM("workitem"),
    /** With a device: the caller's thread returned from the READ. */
    RETURN("return");

    private final String key;

    Stage(String key) {
        this.key = key;
    }

    /** The name used in the table, the JSON and file names. */
    public String key() {
        return key;
    }
}
