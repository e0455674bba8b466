package io.jahci.hw.vfio;

import io.jahci.platform.EventFd;
import io.jahci.platform.NativeException;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * vfio-pci's device request (VFIO_PCI_REQ_IRQ_INDEX): the kernel signals this eventfd when it wants
 * the device back, because someone unbinds it from vfio-pci ({@code jahci unbind}, a write to the
 * driver's {@code unbind}) or removes it ({@code echo 1 > /sys/bus/pci/devices/BDF/remove}, a
 * surprise removal). The unbind then waits until the user closes the device fd, signalling again
 * every few seconds; without a registered eventfd it waits for good, logging "No device request
 * channel registered, blocked until released by user".
 *
 * <p>A daemon thread waits on the eventfd and calls the listener once, on that thread; the listener
 * must release the device promptly (finish or fail what is in flight, flush, close the transport).
 * {@link #close()} wakes the thread through the same eventfd after setting a flag, so its own wake
 * is never taken for the kernel's.
 */
final class VfioDeviceRequest implements AutoCloseable {
    private final String address;
    private final EventFd eventFd;
    private final Thread watcher;
    private final AtomicBoolean requested = new AtomicBoolean();
    private final AtomicBoolean delivered = new AtomicBoolean();
    private volatile boolean closing;
    private volatile Runnable listener;

    VfioDeviceRequest(String address, EventFd eventFd) {
        this.address = address;
        this.eventFd = eventFd;
        this.watcher = new Thread(this::watch, "jahci-vfio-request " + address);
        watcher.setDaemon(true);
        watcher.start();
    }

    int fd() {
        return eventFd.fd();
    }

    /** Sets who releases the device when the kernel asks; runs it at once if it already asked. */
    void onRequest(Runnable l) {
        this.listener = l;
        deliver();
    }

    /** Runs the listener once, whichever comes last: the request or the listener. */
    private void deliver() {
        Runnable l = listener;
        if (l != null && requested.get() && delivered.compareAndSet(false, true)) {
            l.run();
        }
    }

    /** Whether the kernel has asked for the device. */
    boolean requested() {
        return requested.get();
    }

    private void watch() {
        try {
            eventFd.drain();
        } catch (NativeException e) {
            return; // the fd went away under us: closing
        }
        if (closing) {
            return;
        }
        requested.set(true);
        deliver();
    }

    /**
     * Stops the watcher and closes the eventfd. Call after the kernel's trigger was torn down
     * (VFIO_DEVICE_SET_IRQS, count 0). Once the kernel asked, the watcher has read the eventfd
     * already and may be inside the listener (which may be what closes the transport, or exits the
     * JVM): it is not waited for then.
     */
    @Override
    public void close() throws NativeException {
        closing = true;
        if (!requested.get()) {
            eventFd.signal();
            try {
                watcher.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        eventFd.close();
    }
}
