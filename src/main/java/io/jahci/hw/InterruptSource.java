package io.jahci.hw;

/**
 * A device interrupt delivered on a pollable file descriptor: VFIO's irqfd eventfd, UIO's
 * {@code /dev/uioN}, or the eventfd the QEMU transport signals on {@code IRQ raise}. One interrupt
 * thread polls {@link #fd()}, calls {@link #acknowledge()}, runs the ISR, then {@link #rearm()}.
 */
public interface InterruptSource extends AutoCloseable {
    /** Polls readable while an interrupt is pending. */
    int fd();

    /**
     * Consumes the pending notification (reads the eventfd counter, or UIO's interrupt count) and
     * returns how many interrupts were signalled since the last call. Runs on the interrupt thread
     * and allocates nothing; throws {@link DeviceLostException} when the fd fails.
     */
    long acknowledge();

    /**
     * Re-enables delivery after the ISR ran: VFIO INTx unmask, UIO's INTx-disable clear, or for a
     * level-triggered line that is still asserted, signalling again. A no-op for MSI. Runs on the
     * interrupt thread and allocates nothing.
     */
    void rearm();

    /** What this source is, for messages: e.g. {@code INTx (GSI 21)} or {@code MSI vector 0}. */
    String describe();

    @Override
    void close();
}
