package io.jahci.ataport;

/**
 * Observation points on the port layer's interrupt path, for latency measurement
 * ({@code jahci bench irq}). Set one with {@link PortDriverOptions#latencyProbe}; when none is set
 * each point costs one null test of a final field.
 *
 * <p>The port calls these on its own threads, at the level given, with no clock read of its own:
 * an implementation reads {@link System#nanoTime()} itself if it wants a timestamp. It must not
 * block, allocate or throw (an exception would be recorded as a failure of the routine around it).
 */
public interface LatencyProbe {
    /**
     * The miniport's StartIo accepted {@code request} (for AHCI: the command is in its slot and the
     * doorbell, PxCI, was written). DIRQL with SyncWithIsr, else DISPATCH; the channel lock is held.
     */
    default void startIoReturned(Channel<?> channel, IoRequest request) {
    }

    /**
     * The interrupt thread of {@code connection} returned from epoll with its source readable,
     * before {@code acknowledge()}. DISPATCH, no lock held.
     */
    default void interruptWake(InterruptConnection connection) {
    }

    /** Just before the ISR of {@code channel} is called. DIRQL: the interrupt lock is held. */
    default void isrEntry(Channel<?> channel) {
    }

    /**
     * Just before the completion of {@code request} is dispatched: its callback runs and its
     * waiter is unparked right after this. DISPATCH, no lock held, on the thread that runs the
     * channel's DPC: the interrupt thread right after the ISR, a polling thread, or a DISPATCH
     * worker (when one already held the DPC).
     */
    default void completionDispatch(Channel<?> channel, IoRequest request) {
    }
}
