package io.jahci.ataport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A channel's completion polling, for the {@link CompletionMode}s that poll: one poll (the
 * miniport's {@link Miniport#poll} at DIRQL, then the completions it found at DISPATCH on the
 * polling thread), a caller's polled wait, the count of requests the port's poller thread watches
 * (those whose caller does not poll, {@link IoRequest#callerPolls}), and the running mean service
 * time hybrid polling sleeps half of. In {@link CompletionMode#INTERRUPT} it only counts nothing.
 * Nothing here allocates.
 */
public final class ChannelPolling<X> {
    /** Hybrid polling does not sleep for less than this: a shorter park costs more than it saves. */
    private static final long MIN_SLEEP_NANOS = 10_000;
    /**
     * Nor for more: hybrid polling is for devices that answer in microseconds, and a slow spell
     * (a throttled or recovering disk) must not make a poller sleep through a command's deadline.
     */
    private static final long MAX_SLEEP_NANOS = 1_000_000;
    /** The running mean's weight of the newest sample: 1/8, as blk-stat's windows smooth. */
    private static final int MEAN_SHIFT = 3;
    private static final VarHandle WATCHED;

    static {
        try {
            WATCHED = MethodHandles.lookup().findVarHandle(ChannelPolling.class, "watched", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Channel<X> channel;
    private final ChannelDpc<X> dpc;
    private final Miniport<X> miniport;
    private final PortDriver<?> port;
    private final SpinLock interruptLock;
    private final CompletionMode mode;
    @SuppressWarnings("unused") // accessed through WATCHED
    private volatile int watched;
    private volatile long meanServiceNanos;

    ChannelPolling(Channel<X> channel, ChannelDpc<X> dpc, Miniport<X> miniport, PortDriver<?> port,
                   SpinLock interruptLock) {
        this.channel = channel;
        this.dpc = dpc;
        this.miniport = miniport;
        this.port = port;
        this.interruptLock = interruptLock;
        this.mode = port.options().completionMode();
    }

    /** How the channel's completions are detected (the port's {@link PortDriverOptions#completionMode}). Any level. */
    public CompletionMode mode() {
        return mode;
    }

    ChannelDpc<X> dpc() {
        return dpc;
    }

    /** Whether the poller thread has requests of this channel to watch. Any level. */
    boolean watched() {
        return watched > 0;
    }

    /** How long a hybrid poller sleeps before it polls: half the running mean, or 0. Any level. */
    long hybridSleepNanos() {
        long half = Math.min(meanServiceNanos / 2, MAX_SLEEP_NANOS);
        return mode == CompletionMode.HYBRID && half >= MIN_SLEEP_NANOS ? half : 0;
    }

    /** Before StartIo: stamps the request and, if nobody polls for it, wakes the poller. Submit's level. */
    void submitted(IoRequest request) {
        if (!mode.polls()) {
            return;
        }
        request.submittedAt = System.nanoTime();
        if (!request.callerPolls && (int) WATCHED.getAndAdd(this, 1) == 0) {
            port.wakePoller();
        }
    }

    /**
     * As the request's completion is dispatched: updates the mean (successful requests only: a
     * failure's time is recovery's) and the watch count. DISPATCH.
     */
    void finished(IoRequest request) {
        if (!mode.polls()) {
            return;
        }
        if (request.status() == IoStatus.SUCCESS) {
            long sample = System.nanoTime() - request.submittedAt;
            long mean = meanServiceNanos;
            meanServiceNanos = mean == 0 ? sample : mean + ((sample - mean) >> MEAN_SHIFT);
        }
        if (!request.callerPolls) {
            WATCHED.getAndAdd(this, -1);
        }
    }

    /**
     * One poll: claims the channel's DPC, calls {@link Miniport#poll} at DIRQL under the interrupt
     * lock, then runs the completions it queued at DISPATCH on this thread. A poll never waits for
     * the interrupt lock: while the ISR, a synchronized routine or StartIo (SyncWithIsr) holds it,
     * this round is skipped and the caller polls again. At most DISPATCH, not holding this
     * channel's locks.
     *
     * @return whether the miniport found something
     */
    boolean poll() {
        if (interruptLock.isHeldByCurrentThread()) {
            throw Verifier.violation(VerifierException.Rule.WRONG_LEVEL, "poll of " + channel, "<= DISPATCH",
                    "DIRQL (the interrupt lock is held)");
        }
        boolean claimed = dpc.claim();
        boolean found = false;
        if (!interruptLock.tryLock()) {
            if (claimed) {
                runClaimed();
            }
            return false;
        }
        Irql previous = Levels.raise(Irql.DIRQL);
        try {
            found = channel.state().callsIsr() && miniport.poll(channel.extension()); // the ISR's states: not in STOPPING
        } catch (Throwable t) {
            port.recordFailure("completion poll of " + channel, t);
        } finally {
            Levels.restore(previous);
            interruptLock.unlock();
        }
        if (claimed) {
            runClaimed();
        }
        return found;
    }

    private void runClaimed() {
        Irql previous = Levels.raise(Irql.DISPATCH);
        try {
            dpc.runClaimed();
        } finally {
            Levels.restore(previous);
        }
    }

    /**
     * A synchronous caller's wait in a mode that polls: this thread polls the channel
     * ({@link Miniport#poll} at DIRQL, then the completions found at DISPATCH, on this thread)
     * until {@code done} is true; in HYBRID it first sleeps half the channel's running mean service
     * time. Submit the awaited requests with {@link IoRequest#setCallerPolls}(true). PASSIVE only
     * (it may park), not holding the channel's locks.
     *
     * @return true if {@code done} became true, false on timeout
     * @throws IllegalStateException in INTERRUPT mode
     * @throws VerifierException BLOCKING_CALL_AT_RAISED_LEVEL above PASSIVE, SERVICE_ON_STOPPED_CHANNEL
     */
    public boolean awaitPolled(BooleanSupplier done, long timeout, TimeUnit unit) {
        Verifier.mightSleep("ChannelPolling.awaitPolled");
        if (!mode.polls()) {
            throw new IllegalStateException(channel + " completes by interrupt; awaitPolled is for the modes that poll");
        }
        ChannelChecks.notStopped(channel, "ChannelPolling.awaitPolled");
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        long sleep = hybridSleepNanos();
        if (sleep > 0 && !done.getAsBoolean()) {
            LockSupport.parkNanos(this, sleep);
        }
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            if (!poll()) {
                Thread.onSpinWait();
            }
        }
        return true;
    }
}
