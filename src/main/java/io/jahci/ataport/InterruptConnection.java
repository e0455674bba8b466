package io.jahci.ataport;

import io.jahci.hw.InterruptSource;
import io.jahci.platform.Epoll;
import io.jahci.platform.EventFd;
import io.jahci.platform.NativeException;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

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
 *
 * <p><b>A waiter takes its own interrupt.</b> A PASSIVE thread that waits for its requests
 * ({@link #awaitTakingInterrupt}) may take the source from the interrupt thread for the length of
 * its wait: it removes the source's fd from the interrupt thread's epoll, waits on the fd itself and
 * services each interrupt exactly as the interrupt thread does (ISRs at DIRQL under the interrupt
 * lock, then the completions at DISPATCH), so the thread that was waiting for a completion is the one
 * the interrupt wakes: one hand-off less. Who owns the source is one word, {@link #ownership}: an
 * epoch (bumped by every take) and a state, {@link #IDLE} (the interrupt thread waits on the fd),
 * {@link #SERVICING} (the interrupt thread services an interrupt) or {@link #TAKEN} (a waiter owns
 * the fd). The rule: only the thread that moved the word to SERVICING or TAKEN acknowledges the
 * source and runs ISRs. The interrupt thread reads the word before it waits and services only if it
 * moves that very value (same epoch, IDLE) to SERVICING, so an fd event it collected before a waiter
 * took and gave back the source is dropped; a waiter takes only from IDLE (never while the interrupt
 * thread services), one waiter at a time ({@link #taker}); and it gives the source back by setting
 * IDLE and re-adding the fd, which wakes the interrupt thread at once if an interrupt is pending. A
 * completion run by another thread (a DISPATCH worker) while a waiter owns the source signals the
 * waiter's private eventfd, so a request completed without an interrupt ends its wait too
 * (docs/port-layer.md, "A waiter takes its own interrupt").
 */
public final class InterruptConnection {
    /** {@link #ownership} states (its low two bits); the rest of the word is the take epoch. */
    static final long IDLE = 0;
    static final long SERVICING = 1;
    static final long TAKEN = 2;
    private static final long STATE_BITS = 3;
    private static final long EPOCH = 4;

    private final PortDriver<?> port;
    private final InterruptSource source;
    private final SpinLock lock;
    private final Epoll epoll;
    private final EventFd shutdown;
    private final PortThread thread;
    private final LatencyProbe probe;
    private volatile Channel<?>[] channels = new Channel<?>[0];
    /** Per channel of {@link #channels}: whether the servicing thread claimed its DPC; the source's owner only. */
    private volatile boolean[] claimed = new boolean[0];
    private volatile long interrupts;
    private volatile long unclaimed;
    /** Who services the source: epoch and state, see the class comment. */
    private final AtomicLong ownership = new AtomicLong(IDLE);
    /** The waiter that takes, owns or gives back the source, or null: one at a time. */
    private final AtomicReference<Thread> taker = new AtomicReference<>();
    /** The fds a waiter that owns the source waits on: the source and {@link #waiterWake}. */
    private final Epoll waiterEpoll;
    private final EventFd waiterWake;
    private volatile long takenInterrupts;
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
        this.waiterEpoll = new Epoll();
        this.waiterWake = EventFd.createNonBlocking();
        waiterEpoll.addReadable(source.fd());
        waiterEpoll.addReadable(waiterWake.fd());
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

    /**
     * {@link #interrupts()} read under the interrupt lock: an interrupt whose ISRs are running is
     * counted before this returns, so a completion an ISR queued (which may run on a DISPATCH worker
     * before the servicing thread counts) is never seen without its interrupt. For counts taken at
     * the edges of a measured window. PASSIVE or DISPATCH, not holding the interrupt lock.
     */
    public long interruptsCounted() {
        lock.lock();
        try {
            return interrupts;
        } finally {
            lock.unlock();
        }
    }

    /** Interrupts no channel's ISR claimed. */
    public long unclaimedInterrupts() {
        return unclaimed;
    }

    /** Of {@link #interrupts()}, those a waiter serviced on its own thread ({@link #awaitTakingInterrupt}). */
    public long interruptsTakenByWaiters() {
        return takenInterrupts;
    }

    /** The waiter that owns the source now, or null while the interrupt thread has it. Any level. */
    Thread owner() {
        Thread t = taker.get();
        return (ownership.get() & STATE_BITS) == TAKEN ? t : null;
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

    /** Releases the epoll and eventfds once the thread has ended. */
    void release() throws NativeException {
        epoll.close();
        shutdown.close();
        waiterEpoll.close();
        waiterWake.close();
    }

    /** The interrupt thread's body: DISPATCH while waiting, DIRQL while servicing. */
    private void run() {
        int sourceFd = source.fd();
        try {
            for (;;) {
                long seen = ownership.get();
                int fd = awaitReadable();
                if (fd == sourceFd) {
                    // serviced only if no waiter took the source since this thread began to wait
                    if ((seen & STATE_BITS) == IDLE && ownership.compareAndSet(seen, seen | SERVICING)) {
                        try {
                            serviceInterrupt();
                        } finally {
                            ownership.set(seen);
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
     * One interrupt, on the thread that owns the source (the interrupt thread, or a waiter that
     * took it): acknowledges the source, claims each channel's DPC, runs every ISR at DIRQL under the
     * interrupt lock, rearms, then runs the claimed completions at DISPATCH without the interrupt
     * lock. While it runs, the thread counts as an interrupt thread ({@link Levels#onInterruptThread}):
     * it runs no StartIo and never waits for a channel lock. Allocates nothing.
     */
    private void serviceInterrupt() {
        if (probe != null) {
            probe.interruptWake(this);
        }
        source.acknowledge();
        boolean wasServing = Levels.serveInterrupts(true);
        Irql previous = Levels.raise(Irql.DISPATCH);
        try {
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
        } finally {
            Levels.restore(previous);
            Levels.serveInterrupts(wasServing);
        }
    }

    /**
     * A PASSIVE thread's wait for its own requests, in which it services this source itself (see
     * the class comment): if no other waiter holds the source and the interrupt thread is not
     * servicing an interrupt, this thread takes the source, waits on its fd until {@code done} is
     * true or the timeout passed, servicing every interrupt that comes meanwhile (ISRs at DIRQL under
     * the interrupt lock, completions at DISPATCH, on this thread), and gives the source back to the
     * interrupt thread. Otherwise it returns at once and the caller waits its own way (the thread
     * that services the interrupt completes its requests). Allocates nothing.
     *
     * @return whether {@code done} is true on return
     */
    boolean awaitTakingInterrupt(BooleanSupplier done, long timeout, TimeUnit unit) {
        if (done.getAsBoolean()) {
            return true;
        }
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        Thread me = Thread.currentThread();
        if (!taker.compareAndSet(null, me)) {
            return done.getAsBoolean();
        }
        try {
            if (!take()) {
                return done.getAsBoolean();
            }
            try {
                waitServicing(done, deadline);
            } finally {
                giveBack();
            }
            return done.getAsBoolean();
        } catch (NativeException e) {
            throw new IllegalStateException("a waiter taking the interrupt of " + source.describe() + ": " + e.getMessage(), e);
        } finally {
            taker.set(null);
        }
    }

    /** Takes the source from an idle interrupt thread; false if it is servicing. The {@link #taker} only. */
    private boolean take() throws NativeException {
        long seen = ownership.get();
        if ((seen & STATE_BITS) != IDLE) {
            return false;
        }
        epoll.removeReadable(source.fd()); // from now on the interrupt thread is not woken by the source
        if (ownership.compareAndSet(seen, (seen & ~STATE_BITS) + EPOCH | TAKEN)) {
            return true;
        }
        epoll.addReadable(source.fd()); // it began to service meanwhile: it keeps the source
        return false;
    }

    /** Gives the source back: IDLE first, then the fd, which wakes the interrupt thread if an interrupt is pending. */
    private void giveBack() throws NativeException {
        ownership.set(ownership.get() & ~STATE_BITS);
        epoll.addReadable(source.fd());
    }

    private void waitServicing(BooleanSupplier done, long deadline) throws NativeException {
        int sourceFd = source.fd();
        while (!done.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            int fd = waiterEpoll.await((int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left) + 1));
            if (fd == sourceFd) {
                takenInterrupts++;
                serviceInterrupt();
            } else if (fd == waiterWake.fd()) {
                waiterWake.drain();
            }
        }
    }

    /**
     * After a completion ran on a thread that does not own the source: wakes a waiter that owns it,
     * to look at what it waits for. Any level; allocates nothing.
     */
    void completedElsewhere() {
        Thread owner = taker.get();
        if (owner != null && owner != Thread.currentThread()) {
            try {
                waiterWake.signal();
            } catch (NativeException e) {
                port.recordFailure("waking the waiter that owns " + source.describe(), e);
            }
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
