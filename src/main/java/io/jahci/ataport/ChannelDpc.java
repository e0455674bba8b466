package io.jahci.ataport;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A channel's DPC: the deferred work the port runs for one {@link Channel} on its DISPATCH worker
 * threads, and the channel's timer (AtaPortRequestTimer). It keeps, under its queue lock (a leaf
 * below the interrupt lock), the worker routines requested (a preallocated ring), the completed
 * requests, the NextRequest flag and the pending timer routine. When it has work it queues itself
 * on the port's dispatch queue, at most once at a time, so one worker thread serves a channel at a
 * time. Nothing here allocates.
 *
 * @param <X> the channel extension type
 */
final class ChannelDpc<X> extends Task {
    private static final int BATCH = 64;

    private final Channel<X> channel;
    private final PortDriver<?> port;
    private final SpinLock lock;
    private final LatencyProbe probe;
    // Guarded by lock.
    private final Object[] routines;
    private int routineHead;
    private int routineCount;
    private IoRequest doneHead;
    private IoRequest doneTail;
    private boolean startNextRequested;
    /** Requests submitted on the interrupt thread, waiting for a worker to offer them to StartIo. */
    private IoRequest handedOffHead;
    private IoRequest handedOffTail;
    private boolean scheduled;
    private ChannelRoutine<X> timerRoutine;
    private long timerDeadline;

    ChannelDpc(Channel<X> channel, PortDriver<?> port, int routineQueueDepth) {
        this.channel = channel;
        this.port = port;
        this.lock = new SpinLock(channel + " queue lock");
        this.probe = port.options().latencyProbe();
        this.routines = new Object[routineQueueDepth];
    }

    /**
     * Queues a worker routine. Any level.
     *
     * @throws IllegalStateException if the ring is full
     */
    void queueRoutine(ChannelRoutine<X> routine) {
        lock.lock();
        try {
            enqueueRoutineLocked(routine);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Marks the request completing and queues it for its completion callback, and a NextRequest
     * after it. Any level.
     *
     * @throws IllegalStateException if the request is not in flight (completed twice)
     */
    void queueCompletion(IoRequest request, IoStatus status) {
        request.markCompleting(status);
        lock.lock();
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
            lock.unlock();
        }
    }

    /**
     * Hands a request BuildIo passed on the interrupt thread to a DISPATCH worker, which appends it
     * to the busy queue and offers it to StartIo ({@link Channel#startNextRequests}). Any level.
     */
    void queueStart(IoRequest request) {
        lock.lock();
        try {
            request.next = null;
            if (handedOffTail == null) {
                handedOffHead = request;
            } else {
                handedOffTail.next = request;
            }
            handedOffTail = request;
            startNextRequested = true;
            scheduleLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Takes the requests {@link #queueStart} handed off, as a chain, oldest first (null: none). Any level. */
    IoRequest takeHandedOff() {
        lock.lock();
        try {
            IoRequest all = handedOffHead;
            handedOffHead = null;
            handedOffTail = null;
            return all;
        } finally {
            lock.unlock();
        }
    }

    /** Asks for busy-queued requests to be offered to StartIo again. Any level. */
    void queueNextRequest() {
        lock.lock();
        try {
            startNextRequested = true;
            scheduleLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Replaces the pending timer routine; {@code micros == 0} cancels it. Wakes the timer thread
     * only for a deadline earlier than the one it sleeps until ({@link PortDriver#timerArmed}). Any level.
     */
    void setTimer(ChannelRoutine<X> routine, long micros) {
        long deadline = port.timerNanos() + TimeUnit.MICROSECONDS.toNanos(micros);
        lock.lock();
        try {
            timerRoutine = micros == 0 ? null : routine;
            timerDeadline = deadline;
        } finally {
            lock.unlock();
        }
        if (micros != 0) { // a cancelled timer needs no wake-up: the thread finds it gone at its deadline
            port.timerArmed(deadline);
        }
    }

    /**
     * The queue lock, for tests that hold a port thread at it and see it there
     * ({@link SpinLock#waiter()}): the timer thread's scan takes each channel's in turn
     * ({@link #fireTimerIfDue}). Any level.
     */
    SpinLock queueLock() {
        return lock;
    }

    /** Whether a timer routine is pending (for the life-cycle checks and tests). Any level. */
    boolean timerPending() {
        lock.lock();
        try {
            return timerRoutine != null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fires the timer if it is due: queues its routine as a worker routine. Runs on the timer thread.
     *
     * @return nanoseconds until the pending timer is due, or {@link Long#MAX_VALUE} if none is pending
     */
    long fireTimerIfDue(long now) {
        lock.lock();
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
            lock.unlock();
        }
    }

    /**
     * The DPC body: runs queued worker routines, then completions, then offers busy requests to
     * StartIo. DISPATCH, on one port worker thread at a time; after a batch it goes to the back of
     * the worker queue so other channels get a turn.
     */
    @Override
    void run() {
        for (int n = 0; n < BATCH; n++) {
            ChannelRoutine<X> routine = null;
            IoRequest done = null;
            lock.lock();
            try {
                if (routineCount > 0) {
                    routine = pollRoutineLocked();
                } else if (doneHead != null) {
                    done = takeDone();
                } else if (startNextRequested) {
                    startNextRequested = false;
                } else {
                    scheduled = false;
                    return;
                }
            } finally {
                lock.unlock();
            }
            if (routine != null) {
                runWorkerRoutine(routine);
            } else if (done != null) {
                finish(done);
            } else {
                channel.startNextRequests(true);
            }
        }
        port.dispatch(this);
    }

    /** Takes the first completed request off the list; the caller holds the DPC lock and saw it non-empty. */
    private IoRequest takeDone() {
        IoRequest done = doneHead;
        doneHead = done.next;
        if (doneHead == null) {
            doneTail = null;
        }
        done.next = null;
        return done;
    }

    /**
     * Claims the DPC for the calling thread, as a DPC queued by an ISR runs on the interrupted
     * CPU: if no worker holds it, completions queued from now on wait for {@link #runClaimed} on
     * this thread instead of waking a DISPATCH worker. Any level; allocates nothing.
     *
     * @return true if claimed (the caller must then call {@link #runClaimed}); false if a worker
     *     holds the DPC and will run what is queued
     */
    boolean claim() {
        lock.lock();
        try {
            if (scheduled) {
                return false;
            }
            scheduled = true;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs a claimed DPC on this thread at DISPATCH, no lock held: the completions, then the
     * NextRequest. Worker and timer routines are never run here: if any is queued the DPC goes to
     * the DISPATCH workers, so the thread that claimed it (the interrupt thread, a poller) is free
     * to run the ISR again while a worker routine runs (S2). For the same reason the interrupt
     * thread never offers requests to StartIo: if one waits, the DPC goes to the workers (with
     * SyncWithIsr FALSE an ISR may run during StartIo, S9); with none waiting the NextRequest is
     * void. A poller offers them if the channel lock is free. Allocates nothing.
     */
    void runClaimed() {
        for (int n = 0; n < BATCH; n++) {
            IoRequest done = null;
            boolean startNext = false;
            lock.lock();
            try {
                if (doneHead != null) {
                    done = takeDone();
                } else if (startNextRequested && Levels.onInterruptThread()) {
                    if (handedOffHead != null || channel.hasWaitingRequests()) {
                        port.dispatch(this);
                        return;
                    }
                    startNextRequested = false;
                } else if (startNextRequested) {
                    startNextRequested = false;
                    startNext = true;
                } else if (routineCount > 0) {
                    port.dispatch(this);
                    return;
                } else {
                    scheduled = false;
                    return;
                }
            } finally {
                lock.unlock();
            }
            if (done != null) {
                finish(done);
            } else if (startNext && !channel.startNextRequests(false)) {
                queueNextRequest(); // the channel lock is taken: a DISPATCH worker offers them
                port.dispatch(this);
                return;
            }
        }
        port.dispatch(this);
    }

    /**
     * Parks until no deferred work is queued or running, bounded by the port's shutdown timeout.
     * PASSIVE.
     *
     * @throws IllegalStateException if it did not drain in time
     */
    void awaitDrained() {
        long timeout = port.options().shutdownTimeoutNanos();
        long deadline = System.nanoTime() + timeout;
        for (;;) {
            lock.lock();
            try {
                if (!scheduled) {
                    return;
                }
            } finally {
                lock.unlock();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(channel + ": queued worker routines and completions did not finish within "
                        + TimeUnit.NANOSECONDS.toMillis(timeout) + " ms");
            }
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Runs a worker or timer routine at DISPATCH on this worker thread, holding the channel lock. */
    private void runWorkerRoutine(ChannelRoutine<X> routine) {
        SpinLock channelLock = channel.channelLock();
        channelLock.lock();
        try {
            routine.run(channel.extension());
        } catch (Throwable t) {
            port.recordFailure("worker routine of " + channel, t);
        } finally {
            channelLock.unlock();
        }
    }

    /** At DISPATCH on a worker or claiming thread, no lock held: the completion callback, then wakes a waiter. */
    private void finish(IoRequest request) {
        Thread waiter = request.waiter;
        IoCompletion completion = request.completion();
        if (probe != null) {
            probe.completionDispatch(channel, request);
        }
        channel.polling().finished(request);
        request.markIdle();
        if (completion != null) {
            try {
                completion.completed(request);
            } catch (Throwable t) {
                port.recordFailure("completion callback on " + channel, t);
            }
        }
        if (waiter != null) {
            request.waiter = null;
            LockSupport.unpark(waiter);
        }
        channel.interrupt().completedElsewhere();
    }

    private void enqueueRoutineLocked(ChannelRoutine<X> routine) {
        if (routineCount == routines.length) {
            throw new IllegalStateException("worker-routine queue of " + channel + " is full (" + routines.length
                    + " pending); raise PortDriverOptions.workerRoutineQueueDepth or coalesce requests");
        }
        routines[(routineHead + routineCount) % routines.length] = routine;
        routineCount++;
        scheduleLocked();
    }

    private void scheduleLocked() {
        if (!scheduled) {
            scheduled = true;
            port.dispatch(this);
        }
    }

    @SuppressWarnings("unchecked")
    private ChannelRoutine<X> pollRoutineLocked() {
        ChannelRoutine<X> routine = (ChannelRoutine<X>) routines[routineHead];
        routines[routineHead] = null;
        routineHead = (routineHead + 1) % routines.length;
        routineCount--;
        return routine;
    }
}
