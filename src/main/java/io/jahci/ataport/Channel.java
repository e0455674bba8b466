package io.jahci.ataport;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * One ATA channel (an AHCI port): the miniport's channel extension plus the port's locks and
 * queues for it. Callers submit {@link IoRequest}s; the miniport calls the port services
 * (AtaPortRequestWorkerRoutine, AtaPortRequestSynchronizedRoutine, AtaPortRequestTimer,
 * AtaPortCompleteRequest) on it.
 *
 * <p>At which level, on which thread and under which lock the port calls each miniport routine,
 * in both SyncWithIsr modes, and what that guarantees (also for two channels on one interrupt
 * source, AHCI's case): the level table in {@code docs/port-layer.md}, the one copy of it. In
 * short: the channel lock serializes Initialize, StartIo, Reset, worker and timer routines and
 * PowerUp/PowerDown of this channel; the interrupt lock, which belongs to the
 * {@link InterruptConnection} and is shared by every channel on that source, serializes the ISR
 * and synchronized routines (and Initialize/StartIo/Reset with SyncWithIsr) of all those
 * channels; BuildIo and work-item callbacks hold no lock.
 *
 * <p>Lock order: channel lock, then interrupt lock, then the {@link ChannelDpc}'s queue lock, then
 * the port's task-queue lock. Allocation: submit, the ISR's port services, worker routines and
 * completions allocate nothing.
 *
 * <p>Its life is drawn, with what each state allows, in {@link ChannelState}.
 *
 * @param <X> the channel extension type
 */
public final class Channel<X> {
    private final PortDriver<?> port;
    private final Miniport<X> miniport;
    private final InterruptConnection interrupt;
    private final String name;
    private final Verifier verifier;
    private final SpinLock channelLock;
    private final SpinLock interruptLock;
    private final LatencyProbe probe;
    private final ChannelDpc<X> dpc;
    private final BusyQueue<X> busy;
    private final ChannelLifecycle<X> lifecycle;
    private final ChannelPolling<X> polling;
    // Set once by bind(), before the channel is published to any other thread.
    private X extension;
    private boolean syncWithIsr;
    private volatile ChannelState state = ChannelState.STOPPED;
    /** A Reset is queued after an ISR threw; set under the interrupt lock, cleared by that Reset. */
    private volatile boolean resetQueued;
    /** {@link #resetAfterIsrFailure(Object)} as a worker routine (a field: queuing it allocates nothing). */
    private final ChannelRoutine<X> resetAfterIsrFailure = this::resetAfterIsrFailure;

    Channel(PortDriver<?> port, Verifier verifier, Miniport<X> miniport, InterruptConnection interrupt, int index,
            int routineQueueDepth) {
        this.port = port;
        this.verifier = verifier;
        this.miniport = miniport;
        this.interrupt = interrupt;
        this.name = "channel " + index;
        this.channelLock = new SpinLock(name + " channel lock", true);
        this.interruptLock = interrupt.lock();
        this.probe = port.options().latencyProbe();
        this.dpc = new ChannelDpc<>(this, port, routineQueueDepth);
        this.busy = new BusyQueue<>(this, miniport, port, channelLock);
        this.lifecycle = new ChannelLifecycle<>(this, miniport, dpc, busy, interruptLock);
        this.polling = new ChannelPolling<>(this, dpc, miniport, port, interruptLock);
    }

    /** Takes what channel init produced; called once, before the channel is published. */
    void bind(X channelExtension, ChannelConfiguration configuration) {
        this.extension = channelExtension;
        this.syncWithIsr = configuration.syncWithIsr();
    }

    public X extension() {
        return extension;
    }

    public boolean syncWithIsr() {
        return syncWithIsr;
    }

    public InterruptConnection interrupt() {
        return interrupt;
    }

    /** The current state (a snapshot). */
    public ChannelState state() {
        return state;
    }

    public boolean isStarted() {
        return state == ChannelState.STARTED;
    }

    /** Moves to {@code next}; {@link ChannelLifecycle} only, at PASSIVE (INITIALIZING to STARTED under the channel lock). */
    void setState(ChannelState next) {
        state = next;
    }

    // ---------------------------------------------------------------- caller side

    /**
     * Starts the channel: Control(START_CHANNEL) at PASSIVE on this thread, then Initialize at the
     * level SyncWithIsr chooses. The ISR is called for this channel from the end of StartChannel
     * on, so (without SyncWithIsr) it may run during Initialize; requests are accepted once
     * Initialize returned true. If either fails (false, or it throws: rethrown), the channel is torn
     * down as {@link #stop} does (StopChannel only if StartChannel succeeded) and is STOPPED again.
     * PASSIVE only: it parks.
     *
     * @return false if StartChannel or Initialize returned false
     * @throws IllegalStateException if the channel is not STOPPED
     */
    public boolean start() {
        Verifier.mightSleep("Channel.start");
        if (state != ChannelState.STOPPED) {
            throw new IllegalStateException(name + " is " + state + "; start() needs a STOPPED channel");
        }
        return lifecycle.start();
    }

    /**
     * Stops the channel: no more ISR calls or StartIo (an ISR already running is waited for; a
     * request still in BuildIo completes ABORTED), requests still waiting in the busy queue complete
     * as ABORTED, the timer is cancelled, queued worker routines and completions are waited for
     * (bounded), then Control(STOP_CHANNEL) runs at PASSIVE on this thread. Deferred work and
     * StopChannel may still use the port services; from the return on, nothing may. PASSIVE only:
     * it parks.
     *
     * @throws IllegalStateException if deferred work did not drain within the shutdown timeout
     */
    public void stop() {
        Verifier.mightSleep("Channel.stop");
        ChannelChecks.started(this, "Channel.stop");
        lifecycle.stop();
    }

    /**
     * Calls Reset at the level SyncWithIsr chooses, on this thread. At most DISPATCH, not on the
     * interrupt thread (INTERRUPT_THREAD_WAIT), not holding this channel's lock.
     */
    public boolean reset() {
        ChannelChecks.waitsForChannelLock(this, "Channel.reset");
        Irql previous = enterSerialized(true);
        try {
            return miniport.reset(extension);
        } finally {
            exitSerialized(previous);
        }
    }

    /** Calls Control(POWER_UP) at DISPATCH holding the channel lock, on this thread. As {@link #reset}. */
    public boolean powerUp() {
        ChannelChecks.waitsForChannelLock(this, "Channel.powerUp");
        return power(ControlAction.POWER_UP);
    }

    /** Calls Control(POWER_DOWN) at DISPATCH holding the channel lock, on this thread. As {@link #reset}. */
    public boolean powerDown() {
        ChannelChecks.waitsForChannelLock(this, "Channel.powerDown");
        return power(ControlAction.POWER_DOWN);
    }

    private boolean power(ControlAction action) {
        channelLock.lock();
        Irql previous = Levels.raise(Irql.DISPATCH);
        try {
            return miniport.control(extension, action);
        } finally {
            Levels.restore(previous);
            channelLock.unlock();
        }
    }

    /**
     * Submits a request: BuildIo on this thread with no lock, then (if BuildIo returns true)
     * StartIo at the level SyncWithIsr chooses, on this thread; on the interrupt thread (a
     * completion callback it runs) StartIo is handed to a DISPATCH worker instead, so that thread
     * never waits for the channel lock and an ISR can run during StartIo. If StartIo reports busy,
     * the request waits in the channel's queue until the miniport completes a request or calls
     * {@link #requestNextRequest}. Callable at PASSIVE or DISPATCH (e.g. from a completion callback) on a STARTED channel, not
     * from a routine holding this channel's lock; never blocks, allocates nothing. If StartIo
     * throws, the request completes with {@link IoStatus#ERROR} and the failure is recorded in
     * {@link PortDriver#failures()}.
     *
     * @throws VerifierException if a rule is broken; the request then stays idle
     * @throws IllegalStateException if the request is in flight
     */
    public void submit(IoRequest request) {
        submit(request, null);
    }

    /**
     * Submits a request and waits until its completion callback has run, or the timeout passed: in
     * {@link CompletionMode#INTERRUPT} this thread services the interrupt itself while it waits, if
     * it can take it ({@link #awaitTakingInterrupt}), else it parks. PASSIVE only: it may block.
     *
     * @return true if the request completed, false on timeout (it is then still in flight)
     */
    public boolean submitAndWait(IoRequest request, long timeout, TimeUnit unit) {
        Verifier.mightSleep("Channel.submitAndWait");
        Thread me = Thread.currentThread();
        submit(request, me);
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        awaitTakingInterrupt(request.waitOver, timeout, unit);
        while (request.waiter == me) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                request.waiter = null;
                return false;
            }
            LockSupport.parkNanos(request, left);
        }
        return true;
    }

    /**
     * A PASSIVE caller's wait for its own requests by interrupt: until {@code done} is true or the
     * timeout passed, this thread services the channel's interrupt source itself (every ISR on it at
     * DIRQL under the interrupt lock, then the completions at DISPATCH), as long as no other thread
     * waits on the source and the interrupt thread is not servicing an interrupt at that moment; the
     * interrupt thread takes the source back afterwards. When this thread cannot take it, or the
     * channel's completions are polled ({@link CompletionMode#polls()}: wait in
     * {@link ChannelPolling#awaitPolled}), it returns at once. {@code done} must become true through
     * a completion (whose callback ran on whichever thread), and is asked on this thread. Allocates
     * nothing. See docs/port-layer.md, "A waiter takes its own interrupt".
     *
     * @return whether {@code done} is true; if false, the caller waits its own way (parks on what
     *     the completion callback signals)
     * @throws VerifierException BLOCKING_CALL_AT_RAISED_LEVEL above PASSIVE
     */
    public boolean awaitTakingInterrupt(BooleanSupplier done, long timeout, TimeUnit unit) {
        Verifier.mightSleep("Channel.awaitTakingInterrupt");
        if (polling.mode().polls()) {
            return done.getAsBoolean();
        }
        return interrupt.awaitTakingInterrupt(done, timeout, unit);
    }

    private void submit(IoRequest request, Thread waiter) {
        ChannelChecks.caller(this, "Channel.submit");
        request.markSubmitted();
        request.waiter = waiter;
        polling.submitted(request);
        if (!miniport.buildIo(extension, request)) {
            return;
        }
        if (Levels.onInterruptThread()) {
            dpc.queueStart(request); // StartIo on a DISPATCH worker: the interrupt thread stays free for ISRs
            return;
        }
        Irql previous = enterSerialized(true);
        try {
            request.next = null;
            busy.append(request);
            busy.startWaiting(extension);
        } finally {
            exitSerialized(previous);
        }
    }

    // ---------------------------------------------------------------- port services for the miniport

    /**
     * AtaPortRequestWorkerRoutine. Queues {@code routine} to run later on a port worker thread at
     * DISPATCH, holding this channel's channel lock but not the interrupt lock (so the ISR may run
     * meanwhile); it receives the channel extension. Callable from any level, including the ISR;
     * never runs the routine inline. Allocates nothing.
     *
     * @throws VerifierException SERVICE_ON_STOPPED_CHANNEL
     * @throws IllegalStateException if the channel's worker-routine queue is full
     */
    public void requestWorkerRoutine(ChannelRoutine<X> routine) {
        ChannelChecks.notStopped(this, "Channel.requestWorkerRoutine");
        dpc.queueRoutine(routine);
    }

    /**
     * AtaPortRequestSynchronizedRoutine. Runs {@code routine} at DIRQL, holding the interrupt lock
     * so that it is mutually exclusive with the ISR (in both SyncWithIsr modes), passing it the
     * channel extension. It runs on the calling thread before this method returns; if the caller
     * already holds this channel's interrupt lock (the ISR, another synchronized routine, StartIo
     * with SyncWithIsr, or any of these of another channel on the same interrupt source) it simply
     * runs. Callable from any level, but not at the DIRQL of another source; allocates nothing.
     * With the verifier on it is timed against the ISR's budget (a warning naming the routine).
     *
     * @throws VerifierException SERVICE_ON_STOPPED_CHANNEL, or WRONG_LEVEL at another source's DIRQL
     */
    public void requestSynchronizedRoutine(ChannelRoutine<X> routine) {
        ChannelChecks.notStopped(this, "Channel.requestSynchronizedRoutine");
        if (interruptLock.isHeldByCurrentThread()) {
            routine.run(extension);
            return;
        }
        if (Irql.current() == Irql.DIRQL) {
            throw Verifier.violation(VerifierException.Rule.WRONG_LEVEL, "Channel.requestSynchronizedRoutine of " + name,
                    "<= DISPATCH or DIRQL of " + interruptLock, "DIRQL of another interrupt (nesting interrupt locks deadlocks)");
        }
        interruptLock.lock();
        Irql previous = Levels.raise(Irql.DIRQL);
        boolean timed = verifier.timesIsr();
        long start = timed ? System.nanoTime() : 0;
        try {
            routine.run(extension);
        } finally {
            if (timed) {
                verifier.synchronizedRoutineFinished(this, routine, System.nanoTime() - start);
            }
            Levels.restore(previous);
            interruptLock.unlock();
        }
    }

    /**
     * AtaPortRequestTimer. After {@code micros} microseconds, {@code routine} runs like a worker
     * routine (DISPATCH, worker thread, channel lock). A channel has one timer: requesting again
     * replaces a pending one; {@code micros == 0} cancels it. Callable from any level.
     *
     * @throws VerifierException SERVICE_ON_STOPPED_CHANNEL
     */
    public void requestTimer(ChannelRoutine<X> routine, long micros) {
        ChannelChecks.notStopped(this, "Channel.requestTimer");
        dpc.setTimer(routine, micros);
    }

    /**
     * AtaPortCompleteRequest. Hands the request back: its completion callback runs at DISPATCH on
     * a port worker thread, after which the port offers busy-queued requests to StartIo again.
     * Callable from any level (ISR, synchronized routine, worker routine, StartIo). Allocates
     * nothing.
     *
     * @throws VerifierException SERVICE_ON_STOPPED_CHANNEL (the request stays in flight)
     * @throws IllegalStateException if the request is not in flight (completed twice)
     */
    public void completeRequest(IoRequest request, IoStatus status) {
        ChannelChecks.notStopped(this, "Channel.completeRequest");
        complete(request, status);
    }

    /**
     * Asks the port to offer busy-queued requests to StartIo again (the miniport freed a slot
     * without completing a request; Storport's NextRequest notification). They are offered on a
     * worker thread. Callable from any level.
     *
     * @throws VerifierException SERVICE_ON_STOPPED_CHANNEL
     */
    public void requestNextRequest() {
        ChannelChecks.notStopped(this, "Channel.requestNextRequest");
        dpc.queueNextRequest();
    }

    /** Whether the calling thread holds this channel's interrupt lock (it is at this channel's DIRQL). */
    public boolean holdsInterruptLock() {
        return interruptLock.isHeldByCurrentThread();
    }

    /** Whether the calling thread holds this channel's channel lock. */
    public boolean holdsChannelLock() {
        return channelLock.isHeldByCurrentThread();
    }

    @Override
    public String toString() {
        return name;
    }

    // ---------------------------------------------------------------- port internals

    SpinLock channelLock() {
        return channelLock;
    }

    /** How completions are detected, and the polled wait of the modes that poll. */
    public ChannelPolling<X> polling() {
        return polling;
    }

    /**
     * Calls the ISR. Runs at DIRQL on the interrupt thread, which holds the interrupt lock.
     *
     * @return whether the miniport claimed the interrupt
     */
    boolean serviceInterrupt() {
        if (!state.callsIsr()) {
            return false;
        }
        boolean timed = verifier.timesIsr();
        long start = timed ? System.nanoTime() : 0;
        try {
            if (probe != null) {
                probe.isrEntry(this);
            }
            return miniport.interrupt(extension);
        } catch (Throwable t) {
            port.recordFailure("IdeHwInterrupt of " + name, t);
            if (!resetQueued) { // one Reset at a time, however often the ISR throws meanwhile
                resetQueued = true;
                dpc.queueRoutine(resetAfterIsrFailure);
            }
            return false;
        } finally {
            if (timed) {
                verifier.isrFinished(this, System.nanoTime() - start);
            }
        }
    }

    /**
     * After an ISR threw: Reset, as a worker routine (DISPATCH worker, channel lock held), plus the
     * interrupt lock at DIRQL with SyncWithIsr, the level {@link #reset} calls it at. Reset's
     * contract is to complete or retry every request the miniport holds, so none hangs.
     */
    private void resetAfterIsrFailure(X ext) {
        resetQueued = false;
        Irql previous = enterSerialized(false);
        try {
            miniport.reset(ext);
        } finally {
            exitSerialized(previous, false); // the worker routine releases the channel lock
        }
    }

    /** See {@link ChannelDpc#fireTimerIfDue}. Runs on the timer thread. */
    long fireTimerIfDue(long now) {
        return dpc.fireTimerIfDue(now);
    }

    /**
     * Offers busy-queued requests, and those a completion on the interrupt thread submitted, to
     * StartIo (NextRequest). DISPATCH, on a worker thread or a poller, never on the interrupt thread
     * (it must stay free to run ISRs during StartIo: S2, S9); with {@code wait} false (a poller,
     * which must not spin on the channel lock) it returns false at once when the lock is taken.
     */
    boolean startNextRequests(boolean wait) {
        assert !Levels.onInterruptThread() : "StartIo on the interrupt thread";
        if (!(wait || channelLock.tryLock())) {
            return false;
        }
        Irql previous = enterSerialized(wait);
        try {
            busy.append(dpc.takeHandedOff());
            busy.startWaiting(extension);
        } finally {
            exitSerialized(previous);
        }
        return true;
    }

    /** Whether a request waits for StartIo (see {@link BusyQueue#hasWaiting}). Any level, no lock. */
    boolean hasWaitingRequests() {
        return busy.hasWaiting();
    }

    /** Completes a request on the port's behalf (StartIo threw, stop aborts it). Any level. */
    void completeInternally(IoRequest request, IoStatus status) {
        complete(request, status);
    }

    private void complete(IoRequest request, IoStatus status) {
        dpc.queueCompletion(request, status);
    }

    /**
     * Raises to the level SyncWithIsr chooses for Initialize/StartIo/Reset and takes its locks (the
     * channel lock only if {@code takeChannelLock}: the caller may hold it already).
     */
    Irql enterSerialized(boolean takeChannelLock) {
        if (takeChannelLock) {
            channelLock.lock();
        }
        if (syncWithIsr) {
            interruptLock.lock();
        }
        return Levels.raise(syncWithIsr ? Irql.DIRQL : Irql.DISPATCH);
    }

    /** Undoes {@link #enterSerialized}: restores the level and releases the locks it took. */
    void exitSerialized(Irql previous) {
        exitSerialized(previous, true);
    }

    private void exitSerialized(Irql previous, boolean releaseChannelLock) {
        Levels.restore(previous);
        if (syncWithIsr) {
            interruptLock.unlock();
        }
        if (releaseChannelLock) {
            channelLock.unlock();
        }
    }
}
