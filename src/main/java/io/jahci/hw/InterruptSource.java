package io.jahci.hw;

import io.jahci.platform.EventFd;

/**
 * A device interrupt delivered on an eventfd (VFIO's irqfd, UIO's interrupt count, or QEMU's
 * {@code IRQ raise} lines). One interrupt thread waits on {@link #eventFd()}, drains it, runs the
 * ISR, then calls {@link #rearm()}.
 */
public interface InterruptSource extends AutoCloseable {
    /** Readable when an interrupt is pending; draining it acknowledges delivery. */
    EventFd eventFd();

    /**
     * Re-enables delivery after the ISR ran: VFIO INTx unmask, UIO's INTx-disable clear, or for a
     * level-triggered line that is still asserted, signalling the eventfd again. A no-op for MSI.
     * Runs on the interrupt thread and allocates nothing.
     */
    void rearm();

    /** What this source is, for messages: e.g. {@code INTx (GSI 21)} or {@code MSI vector 0}. */
    String describe();

    @Override
    void close();
}
