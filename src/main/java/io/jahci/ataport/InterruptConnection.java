package io.jahci.ataport;

import io.jahci.hw.InterruptSource;
import io.jahci.platform.Epoll;
import io.jahci.platform.EventFd;
import io.jahci.platform.NativeException;

/**
 * An interrupt source connected to the port (IoConnectInterrupt): one interrupt thread and one
 * interrupt lock, shared by every channel created on it, like AHCI's single vector for all ports.
 *
 * <p>The interrupt thread waits (epoll) on the source's fd and on a private shutdown eventfd.
 * For each interrupt it acknowledges the source, takes the interrupt lock (now at DIRQL), calls the ISR
 * of every started channel on this source, releases the lock and calls
 * {@link InterruptSource#rearm()}. It allocates nothing. The source itself stays owned by the
 * caller, who closes it after the port.
 */
public final class InterruptConnection {
    private final PortDriver<?> port;
    private final InterruptSource source;
    private final SpinLock lock;
    private final Epoll epoll;
    private final EventFd shutdown;
    private final PortThread thread;
    private final LatencyProbe probe;
    private volatile Channel<?>[] channels = new Channel<?>[0];
    private volatile long interrupts;
    private volatile long unclaimed;

    InterruptConnection(PortDriver<?> port, InterruptSource source, int index) throws NativeException {
        this.port = port;
        this.source = source;
        this.probe = port.options().latencyProbe();
        this.lock = new SpinLock("interrupt lock of " + source.describe());
        this.epoll = new Epoll();
        this.shutdown = EventFd.create();
        epoll.addReadable(source.fd());
        epoll.addReadable(shutdown.fd());
        this.thread = new PortThread("jahci-irq-" + index, Irql.DISPATCH, this::run);
    }

    public InterruptSource source() {
        return source;
    }

    /** Interrupts serviced so far. */
    public long interrupts() {
        return interrupts;
    }

    /** Interrupts no channel's ISR claimed. */
    public long unclaimedInterrupts() {
        return unclaimed;
    }

    SpinLock lock() {
        return lock;
    }

    PortThread thread() {
        return thread;
    }

    void start() {
        thread.start();
    }

    /** Adds a channel to the shared line. PASSIVE, at channel creation. */
    synchronized void connect(Channel<?> channel) {
        Channel<?>[] grown = java.util.Arrays.copyOf(channels, channels.length + 1);
        grown[channels.length] = channel;
        channels = grown;
    }

    /** Wakes the interrupt thread to exit; {@link PortDriver#close} joins it. */
    void requestShutdown() throws NativeException {
        shutdown.signal();
    }

    /** Releases the epoll and shutdown fds once the thread has ended. */
    void release() throws NativeException {
        epoll.close();
        shutdown.close();
    }

    /** The interrupt thread's body: DISPATCH while waiting, DIRQL while servicing. */
    private void run() {
        int sourceFd = source.fd();
        try {
            for (;;) {
                int fd = epoll.await(-1);
                if (fd == sourceFd) {
                    if (probe != null) {
                        probe.interruptWake(this);
                    }
                    source.acknowledge();
                    service();
                    source.rearm();
                } else if (fd == shutdown.fd()) {
                    return;
                }
            }
        } catch (NativeException | RuntimeException e) {
            port.recordFailure("interrupt thread of " + source.describe(), e);
        }
    }

    /** Runs at DIRQL: calls the ISR of every channel on this line under the interrupt lock. */
    private void service() {
        lock.lock();
        Irql previous = Levels.raise(Irql.DIRQL);
        try {
            boolean claimed = false;
            for (Channel<?> channel : channels) {
                claimed |= channel.serviceInterrupt();
            }
            interrupts++;
            if (!claimed) {
                unclaimed++;
            }
        } finally {
            Levels.restore(previous);
            lock.unlock();
        }
    }
}
