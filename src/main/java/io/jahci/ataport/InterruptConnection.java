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
 * For each interrupt it acknowledges the source, claims each channel's DPC
 * ({@link ChannelDpc#claim}), takes the interrupt lock (now at DIRQL), calls the ISR of every
 * started channel on this source, releases the lock, calls {@link InterruptSource#rearm()}, and
 * then, at DISPATCH without the interrupt lock, runs the completions those ISRs queued
 * ({@link ChannelDpc#runClaimed}), as Windows runs a DPC on the interrupted CPU after the ISR.
 * Completions thus skip the hand-off to a DISPATCH worker (one thread wake-up less per request,
 * measured in docs/latency-completion.md); worker and timer routines still go to the workers, so
 * another thread can run the ISR while one runs (S2). It allocates nothing. The source itself stays owned by the
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
    /** Per channel of {@link #channels}: whether the interrupt thread claimed its DPC; interrupt thread only. */
    private volatile boolean[] claimed = new boolean[0];
    private volatile long interrupts;
    private volatile long unclaimed;
    /** The last fd a spinning {@link #pollOnce} saw, or -1; interrupt thread only. */
    private int polled = -1;
    private NativeException pollFailure;
    private final java.util.function.BooleanSupplier pollOnce = this::pollOnce;

    InterruptConnection(PortDriver<?> port, InterruptSource source, int index) throws NativeException {
        this.port = port;
        this.source = source;
        this.probe = port.options().latencyProbe();
        this.lock = new SpinLock("interrupt lock of " + source.describe());
        this.epoll = new Epoll();
        this.shutdown = EventFd.create();
        epoll.addReadable(source.fd());
        epoll.addReadable(shutdown.fd());
        this.thread = new PortThread("jahci-irq-" + index, Irql.DISPATCH, ThreadPlacement.Role.IRQ,
                port.options().waitMode(), port, this::run);
    }

    public InterruptSource source() {
        return source;
    }

    /**
     * Interrupts serviced so far. Counted once all ISRs of an interrupt have returned, under the
     * interrupt lock: every ISR called for one interrupt sees the same value, so a miniport can tell
     * the first ISR of an interrupt from the others without depending on channel order.
     */
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
        claimed = new boolean[grown.length];
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
                int fd = awaitReadable();
                if (fd == sourceFd) {
                    if (probe != null) {
                        probe.interruptWake(this);
                    }
                    source.acknowledge();
                    Channel<?>[] line = channels;
                    boolean[] dpcs = claimed;
                    for (int i = 0; i < line.length; i++) {
                        dpcs[i] = line[i].polling().dpc().claim();
                    }
                    service(line);
                    source.rearm();
                    for (int i = 0; i < line.length; i++) {
                        if (dpcs[i]) {
                            line[i].polling().dpc().runClaimed();
                        }
                    }
                } else if (fd == shutdown.fd()) {
                    return;
                }
            }
        } catch (NativeException | RuntimeException e) {
            port.recordFailure("interrupt thread of " + source.describe(), e);
        }
    }

    /**
     * Waits for the source (or the shutdown fd) per the port's {@link WaitMode}: polls epoll
     * without blocking while the thread's spinner spins, then blocks in epoll_wait. Returns the
     * readable fd, or -1 (a signal). Interrupt thread, DISPATCH; allocates nothing.
     */
    private int awaitReadable() throws NativeException {
        Spinner spinner = thread.spinner;
        if (spinner.spin(pollOnce)) {
            if (pollFailure != null) {
                throw pollFailure;
            }
            return polled;
        }
        int fd = epoll.await(-1);
        spinner.woke();
        return fd;
    }

    private boolean pollOnce() {
        try {
            polled = epoll.await(0);
        } catch (NativeException e) {
            pollFailure = e;
            return true;
        }
        return polled != -1;
    }

    /** Runs at DIRQL: calls the ISR of every channel on this line under the interrupt lock. */
    private void service(Channel<?>[] channels) {
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
