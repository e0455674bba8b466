package io.jahci.ataport;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One ATA channel (an AHCI port): the miniport's channel extension plus the port's queues and
 * locks for it. Callers submit {@link IoRequest}s; the miniport calls the port services
 * (AtaPort*) on it.
 *
 * <h2>Levels, threads and locks (the seeds' IRQL table in Java terms)</h2>
 *
 * <pre>
 * routine                         SyncWithIsr = true                    SyncWithIsr = false
 * ------------------------------  ------------------------------------  ------------------------------------
 * channelInit (AtaChannelInit)    PASSIVE, caller of createChannel,     same
 *                                 no lock
 * control START/STOP_CHANNEL      PASSIVE, caller of start()/stop(),    same
 *                                 no lock
 * control POWER_UP/POWER_DOWN     DISPATCH, caller of powerUp/Down(),   same
 *                                 channel lock
 * buildIo                         caller's level (PASSIVE/DISPATCH),    same
 *                                 submitting thread, NO lock
 * worker routine, timer routine   DISPATCH, port worker thread,         same
 *                                 channel lock (not the interrupt lock)
 * initialize / startIo / reset    DIRQL: channel lock + interrupt       DISPATCH: channel lock only
 *                                 lock, calling thread (startIo also    (the ISR may run meanwhile)
 *                                 on a worker after a completion)
 * synchronized routine            DIRQL: interrupt lock, inline on the  same
 *                                 requesting thread
 * interrupt (ISR)                 DIRQL: interrupt lock, interrupt      same
 *                                 thread of the channel's source
 * completion callback             DISPATCH, port worker thread, no lock same
 * work-item callback (Storport)   PASSIVE, work-item thread, no lock    same
 * </pre>
 *
 * <p>So on one channel the routines holding the channel lock (Initialize, StartIo, Reset, worker
 * and timer routines, PowerUp/PowerDown) never overlap each other, and the routines holding the
 * interrupt lock (ISR, synchronized routines, and with SyncWithIsr Initialize/StartIo/Reset) never
 * overlap each other. The ISR and synchronized routines do overlap worker routines (and, without
 * SyncWithIsr, Initialize/StartIo/Reset). BuildIo and work-item callbacks overlap anything. The
 * interrupt lock belongs to the {@link InterruptConnection} and is shared by the channels on that
 * source; channels on different sources share no lock and run fully concurrently.
 *
 * <p>Lock order: channel lock, then interrupt lock, then this channel's queue lock, then the
 * port's task-queue lock. Allocation: submit, the ISR's port services, worker routines and
 * completions allocate nothing; the worker-routine queue is a preallocated ring.
 *
 * @param <X> the channel extension type
 */
public final class Channel<X> {
    private static final int DPC_BATCH = 64;

    private final PortDriver<?> port;
    private final Verifier verifier;
    private final Miniport<X> miniport;
    private final InterruptConnection interrupt;
    private final String name;
    private final SpinLock channelLock;
    private final SpinLock interruptLock;
    private final SpinLock queueLock;
    private final LatencyProbe probe;
    private final Task dpc = new Task() {
        @Override
        void run() {
            runDeferred();
        }
    };
    // Set once by bind(), before the channel is published to any other thread.
    private X extension;
    private boolean syncWithIsr;
    private volatile boolean started;

    // Guarded by channelLock: requests StartIo reported busy for, oldest first.
    private IoRequest busyHead;
    private IoRequest busyTail;

    // Guarded by queueLock: the deferred work the channel's DPC runs on a worker thread.
    private final Object[] routines;
    private int routineHead;
    private int routineCount;
    private IoRequest doneHead;
    private IoRequest doneTail;
    private boolean startNextRequested;
    private boolean dpcScheduled;
    private ChannelRoutine<X> timerRoutine;
    private long timerDeadline;

    Channel(PortDriver<?> port, Verifier verifier, Miniport<X> miniport, InterruptConnection interrupt, int index,
            int routineQueueDepth) {
        this.port = port;
        this.verifier = verifier;
        this.miniport = miniport;
        this.interrupt = interrupt;
        this.name = "channel " + index;
        this.channelLock = new SpinLock(name + " channel lock");
        this.interruptLock = interrupt.lock();
        this.queueLock = new SpinLock(name + " queue lock");
        this.probe = port.options().latencyProbe();
        this.routines = new Object[routineQueueDepth];
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

    public PortDriver<?> port() {
        return port;
    }

    public InterruptConnection interrupt() {
        return interrupt;
    }

    // ---------------------------------------------------------------- caller side

    /**
     * Starts the channel: Control(START_CHANNEL) at PASSIVE on this thread, then Initialize at the
     * level SyncWithIsr chooses. The ISR is called for this channel from the end of StartChannel
     * on, so (without SyncWithIsr) it may run during Initialize. PASSIVE only.
     *
     * @return false if StartChannel or Initialize failed (the channel stays stopped)
     */
    public boolean start() {
        verifier.checkMayBlock("Channel.start");
        if (!miniport.control(extension, ControlAction.START_CHANNEL)) {
            return false;
        }
        started = true;
        boolean initialized = false;
        Irql previous = enterSerialized();
        try {
            initialized = miniport.initialize(extension);
        } finally {
            exitSerialized(previous);
            started = initialized;
        }
        return initialized;
    }

    /**
     * Stops the channel: no more ISR calls or submissions, requests still waiting in the busy
     * queue complete as ABORTED, the timer is cancelled, queued worker routines and completions
     * are waited for (bounded), then Control(STOP_CHANNEL) runs at PASSIVE on this thread.
     * PASSIVE only: it parks.
     *
     * @throws IllegalStateException if deferred work did not drain within the shutdown timeout
     */
    public void stop() {
        verifier.checkMayBlock("Channel.stop");
        started = false;
        IoRequest aborted;
        Irql previous = enterSerialized();
        try {
            aborted = busyHead;
            busyHead = null;
            busyTail = null;
        } finally {
            exitSerialized(previous);
        }
        while (aborted != null) {
            IoRequest next = aborted.next;
            completeRequest(aborted, IoStatus.ABORTED);
            aborted = next;
        }
        requestTimer(null, 0);
        awaitDeferredWorkDrained();
        miniport.control(extension, ControlAction.STOP_CHANNEL);
    }

    public boolean isStarted() {
        return started;
    }

    /** Calls Reset at the level SyncWithIsr chooses, on this thread. At most DISPATCH. */
    public boolean reset() {
        verifier.checkAtMost("Channel.reset", Irql.DISPATCH);
        Irql previous = enterSerialized();
        try {
            return miniport.reset(extension);
        } finally {
            exitSerialized(previous);
        }
    }

    /** Calls Control(POWER_UP) at DISPATCH holding the channel lock, on this thread. At most DISPATCH. */
    public boolean powerUp() {
        return power(ControlAction.POWER_UP);
    }

    /** Calls Control(POWER_DOWN) at DISPATCH holding the channel lock, on this thread. At most DISPATCH. */
    public boolean powerDown() {
        return power(ControlAction.POWER_DOWN);
    }

    private boolean power(ControlAction action) {
        verifier.checkAtMost("Channel.power(" + action + ")", Irql.DISPATCH);
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
     * StartIo at the level SyncWithIsr chooses. If StartIo reports busy, the request waits in the
     * channel's queue until the miniport completes a request or calls {@link #requestNextRequest}.
     * Callable at PASSIVE or DISPATCH (e.g. from a completion callback); never blocks, allocates
     * nothing. If StartIo throws, the request completes with {@link IoStatus#ERROR} and the
     * failure is recorded in {@link PortDriver#failures()}.
     *
     * @throws IllegalStateException if the channel is not started or the request is in flight
     */
    public void submit(IoRequest request) {
        verifier.checkAtMost("Channel.submit", Irql.DISPATCH);
        if (!started) {
            throw new IllegalStateException(name + " is not started; cannot submit");
        }
        request.markSubmitted();
        if (!miniport.buildIo(extension, request)) {
            return;
        }
        Irql previous = enterSerialized();
        try {
            request.next = null;
            if (busyTail == null) {
                busyHead = request;
            } else {
                busyTail.next = request;
            }
            busyTail = request;
            startBusyRequests();
        } finally {
            exitSerialized(previous);
        }
    }

    /**
     * Submits a request and parks until its completion callback has run, or the timeout passed.
     * PASSIVE only: it parks.
     *
     * @return true if the request completed, false on timeout (it is then still in flight)
     */
    public boolean submitAndWait(IoRequest request, long timeout, TimeUnit unit) {
        verifier.checkMayBlock("Channel.submitAndWait");
        Thread me = Thread.currentThread();
        request.waiter = me;
        submit(request);
        long deadline = System.nanoTime() + unit.toNanos(timeout);
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

    // ---------------------------------------------------------------- port services for the miniport

    /**
     * AtaPortRequestWorkerRoutine. Queues {@code routine} to run later on a port worker thread at
     * DISPATCH, holding this channel's channel lock but not the interrupt lock (so the ISR may run
     * meanwhile); it receives the channel extension. Callable from any level, including the ISR;
     * never runs the routine inline. Allocates nothing.
     *
     * @throws IllegalStateException if the channel's worker-routine queue is full
     */
    public void requestWorkerRoutine(ChannelRoutine<X> routine) {
        queueLock.lock();
        try {
            enqueueRoutineLocked(routine);
        } finally {
            queueLock.unlock();
        }
    }

    /**
     * AtaPortRequestSynchronizedRoutine. Runs {@code routine} at DIRQL, holding the interrupt lock
     * so that it is mutually exclusive with the ISR (in both SyncWithIsr modes), passing it the
     * channel extension. It runs on the calling thread before this method returns; if the caller
     * already holds this channel's interrupt lock (the ISR, another synchronized routine, StartIo
     * with SyncWithIsr) it simply runs. Callable from any level; allocates nothing.
     */
    public void requestSynchronizedRoutine(ChannelRoutine<X> routine) {
        if (interruptLock.isHeldByCurrentThread()) {
            routine.run(extension);
            return;
        }
        if (Irql.current() == Irql.DIRQL) {
            throw verifier.misuse(VerifierException.Rule.WRONG_LEVEL, "Channel.requestSynchronizedRoutine of " + name,
                    "<= DISPATCH or DIRQL of " + interruptLock, "DIRQL of another interrupt (nesting interrupt locks deadlocks)");
        }
        interruptLock.lock();
        Irql previous = Levels.raise(Irql.DIRQL);
        try {
            routine.run(extension);
        } finally {
            Levels.restore(previous);
            interruptLock.unlock();
        }
    }

    /**
     * AtaPortRequestTimer. After {@code micros} microseconds, {@code routine} runs like a worker
     * routine (DISPATCH, worker thread, channel lock). A channel has one timer: requesting again
     * replaces a pending one; {@code micros == 0} cancels it. Callable from any level.
     */
    public void requestTimer(ChannelRoutine<X> routine, long micros) {
        queueLock.lock();
        try {
            timerRoutine = micros == 0 ? null : routine;
            timerDeadline = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(micros);
        } finally {
            queueLock.unlock();
        }
        port.timerChanged();
    }

    /**
     * AtaPortCompleteRequest. Hands the request back: its completion callback runs at DISPATCH on
     * a port worker thread, after which the port offers busy-queued requests to StartIo again.
     * Callable from any level (ISR, synchronized routine, worker routine, StartIo). Allocates
     * nothing.
     *
     * @throws IllegalStateException if the request is not in flight (completed twice)
     */
    public void completeRequest(IoRequest request, IoStatus status) {
        request.markCompleting(status);
        queueLock.lock();
        try {
            request.next = null;
            if (doneTail == null) {
                doneHead = request;
            } else {
                doneTail.next = request;
            }
            doneTail = request;
            startNextRequested = true;
            scheduleLocked();
        } finally {
            queueLock.unlock();
        }
    }

    /**
     * Asks the port to offer busy-queued requests to StartIo again (the miniport freed a slot
     * without completing a request; Storport's NextRequest notification). They are offered on a
     * worker thread. Callable from any level.
     */
    public void requestNextRequest() {
        queueLock.lock();
        try {
            startNextRequested = true;
            scheduleLocked();
        } finally {
            queueLock.unlock();
        }
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

    /**
     * Calls the ISR. Runs at DIRQL on the interrupt thread, which holds the interrupt lock.
     *
     * @return whether the miniport claimed the interrupt
     */
    boolean serviceInterrupt() {
        if (!started) {
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
            return false;
        } finally {
            if (timed) {
                verifier.isrFinished(this, System.nanoTime() - start);
            }
        }
    }

    /**
     * Fires the timer if it is due: queues its routine as a worker routine. Runs on the timer thread.
     *
     * @return nanoseconds until the pending timer is due, or {@link Long#MAX_VALUE} if none is pending
     */
    long fireTimerIfDue(long now) {
        queueLock.lock();
        try {
            if (timerRoutine == null) {
                return Long.MAX_VALUE;
            }
            long left = timerDeadline - now;
            if (left > 0) {
                return left;
            }
            enqueueRoutineLocked(timerRoutine);
            timerRoutine = null;
            return Long.MAX_VALUE;
        } finally {
            queueLock.unlock();
        }
    }

    /** Raises to the level SyncWithIsr chooses for Initialize/StartIo/Reset and takes its locks. */
    private Irql enterSerialized() {
        channelLock.lock();
        if (syncWithIsr) {
            interruptLock.lock();
        }
        return Levels.raise(syncWithIsr ? Irql.DIRQL : Irql.DISPATCH);
    }

    private void exitSerialized(Irql previous) {
        Levels.restore(previous);
        if (syncWithIsr) {
            interruptLock.unlock();
        }
        channelLock.unlock();
    }

    /** Offers busy-queued requests to StartIo, oldest first, until it reports busy. Holds the locks of enterSerialized. */
    private void startBusyRequests() {
        while (busyHead != null) {
            IoRequest request = busyHead;
            busyHead = request.next;
            if (busyHead == null) {
                busyTail = null;
            }
            request.next = null;
            boolean accepted;
            try {
                accepted = miniport.startIo(extension, request);
            } catch (RuntimeException | Error e) {
                port.recordFailure("IdeHwStartIo of " + name, e);
                completeRequest(request, IoStatus.ERROR);
                continue;
            }
            if (!accepted) {
                request.next = busyHead;
                busyHead = request;
                if (busyTail == null) {
                    busyTail = request;
                }
                return;
            }
        }
    }

    private void enqueueRoutineLocked(ChannelRoutine<X> routine) {
        if (routineCount == routines.length) {
            throw new IllegalStateException("worker-routine queue of " + name + " is full (" + routines.length
                    + " pending); raise PortDriverOptions.workerRoutineQueueDepth or coalesce requests");
        }
        routines[(routineHead + routineCount) % routines.length] = routine;
        routineCount++;
        scheduleLocked();
    }

    private void scheduleLocked() {
        if (!dpcScheduled) {
            dpcScheduled = true;
            port.dispatch(dpc);
        }
    }

    /**
     * The channel's DPC: runs queued worker routines, then completions, then offers busy requests
     * to StartIo. Runs at DISPATCH on one port worker thread at a time (a channel is queued at most
     * once); after a batch it goes to the back of the worker queue so other channels get a turn.
     */
    private void runDeferred() {
        for (int n = 0; n < DPC_BATCH; n++) {
            ChannelRoutine<X> routine = null;
            IoRequest done = null;
            queueLock.lock();
            try {
                if (routineCount > 0) {
                    routine = pollRoutineLocked();
                } else if (doneHead != null) {
                    done = doneHead;
                    doneHead = done.next;
                    if (doneHead == null) {
                        doneTail = null;
                    }
                    done.next = null;
                } else if (startNextRequested) {
                    startNextRequested = false;
                } else {
                    dpcScheduled = false;
                    return;
                }
            } finally {
                queueLock.unlock();
            }
            if (routine != null) {
                runWorkerRoutine(routine);
            } else if (done != null) {
                finish(done);
            } else {
                Irql previous = enterSerialized();
                try {
                    startBusyRequests();
                } finally {
                    exitSerialized(previous);
                }
            }
        }
        port.dispatch(dpc);
    }

    @SuppressWarnings("unchecked")
    private ChannelRoutine<X> pollRoutineLocked() {
        ChannelRoutine<X> routine = (ChannelRoutine<X>) routines[routineHead];
        routines[routineHead] = null;
        routineHead = (routineHead + 1) % routines.length;
        routineCount--;
        return routine;
    }

    /** Runs at DISPATCH on a worker thread, holding the channel lock. */
    private void runWorkerRoutine(ChannelRoutine<X> routine) {
        channelLock.lock();
        try {
            routine.run(extension);
        } catch (Throwable t) {
            port.recordFailure("worker routine of " + name, t);
        } finally {
            channelLock.unlock();
        }
    }

    /** Runs at DISPATCH on a worker thread, no lock held: the completion callback, then wakes a waiter. */
    private void finish(IoRequest request) {
        Thread waiter = request.waiter;
        IoCompletion completion = request.completion();
        if (probe != null) {
            probe.completionDispatch(this, request);
        }
        request.markIdle();
        if (completion != null) {
            try {
                completion.completed(request);
            } catch (Throwable t) {
                port.recordFailure("completion callback on " + name, t);
            }
        }
        if (waiter != null) {
            request.waiter = null;
            LockSupport.unpark(waiter);
        }
    }

    private void awaitDeferredWorkDrained() {
        long deadline = System.nanoTime() + port.options().shutdownTimeoutNanos();
        for (;;) {
            queueLock.lock();
            try {
                if (!dpcScheduled) {
                    return;
                }
            } finally {
                queueLock.unlock();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(name + ": queued worker routines and completions did not finish within "
                        + TimeUnit.NANOSECONDS.toMillis(port.options().shutdownTimeoutNanos()) + " ms");
            }
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
