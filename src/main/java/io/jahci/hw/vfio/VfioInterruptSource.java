package io.jahci.hw.vfio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.jahci.hw.DeviceLostException;
import io.jahci.hw.InterruptSource;
import io.jahci.platform.EventFd;
import io.jahci.platform.LibC;
import io.jahci.platform.NativeException;

/**
 * The controller's interrupt through VFIO: an eventfd that vfio-pci signals (irqfd).
 *
 * <p>MSI: AHCI has one vector; each message signals the eventfd, nothing to re-arm. INTx: the line
 * is level-triggered, so vfio-pci masks it when it fires; {@link #rearm()} unmasks it
 * ({@code VFIO_DEVICE_SET_IRQS}, {@code ACTION_UNMASK}) after the ISR cleared the cause, and if the
 * controller still asserts it, it fires again.
 */
final class VfioInterruptSource implements InterruptSource {
    private final int deviceFd;
    private final int index;
    private final EventFd eventFd;
    private final Memory unmask = new Memory(Vfio.IRQ_SET_HEADER_SIZE);
    private final long unmaskAddress = Pointer.nativeValue(unmask);
    private volatile boolean closed;

    VfioInterruptSource(int deviceFd, int index, EventFd eventFd) {
        this.deviceFd = deviceFd;
        this.index = index;
        this.eventFd = eventFd;
        Vfio.encodeIrqUnmask(unmask.getByteBuffer(0, Vfio.IRQ_SET_HEADER_SIZE), index);
    }

    boolean isIntx() {
        return index == Vfio.PCI_INTX_IRQ_INDEX;
    }

    @Override
    public int fd() {
        return eventFd.fd();
    }

    /** Runs on the interrupt thread; allocates nothing. */
    @Override
    public long acknowledge() {
        try {
            return eventFd.drain();
        } catch (NativeException e) {
            throw new DeviceLostException("cannot read the VFIO interrupt eventfd", e);
        }
    }

    /** Runs on the interrupt thread after the ISR; allocates nothing (INTx: one ioctl). */
    @Override
    public void rearm() {
        if (index != Vfio.PCI_INTX_IRQ_INDEX || closed) {
            return;
        }
        try {
            LibC.ioctl(deviceFd, Vfio.DEVICE_SET_IRQS, unmaskAddress);
        } catch (LastErrorException e) {
            throw new DeviceLostException("VFIO INTx unmask failed: " + new NativeException("VFIO_DEVICE_SET_IRQS",
                    e.getErrorCode()).getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return index == Vfio.PCI_MSI_IRQ_INDEX ? "MSI vector 0 (VFIO eventfd)"
                : "INTx (VFIO eventfd, unmasked after each interrupt)";
    }

    void markClosed() {
        closed = true;
    }

    @Override
    public void close() {
        closed = true;
        try {
            eventFd.close();
        } catch (NativeException e) {
            throw new IllegalStateException(e);
        }
    }
}
