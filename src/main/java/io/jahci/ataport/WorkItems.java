package io.jahci.ataport;

import java.util.concurrent.TimeUnit;

/**
 * Storport-style work items: StorPortInitializeWorker, StorPortQueueWorkItem and
 * StorPortFreeWorker, with callbacks run at PASSIVE on the port's work-item threads. After the
 * port closed, queued work items never run and queueWorkItem throws.
 *
 * <pre>
 *   initializeWorker
 *         |
 *         v          queueWorkItem                 a work-item thread takes it
 *   +--> IDLE ------------------------> QUEUED -------------------------------> RUNNING
 *   |     |                               ^                                     |  |  |
 *   |     | freeWorker                    | callback returned:                  |  |  | queueWorkItem
 *   |     v                               | the runner queues it again          |  |  v (own callback or
 *   |    FREE <---------------------------|---- freeWorker from its own --------+  | REQUEUED  elsewhere)
 *   |     ^                               +--------------- callback ---------------|----+
 *   |     |                                                                        |
 *   +-----|------------------------- callback returned ----------------------------+
 *         +-- freeWorker on QUEUED after the port closed (it can never run)
 *
 *   freeWorker never waits: on QUEUED, RUNNING or REQUEUED (from another thread) it returns BUSY
 *   and changes nothing (StorPortFreeWorker's STOR_STATUS_BUSY); freeWorkerWhenIdle waits, bounded.
 *   queueWorkItem on FREE: rule QUEUE_FREED_WORKER; on QUEUED or REQUEUED: QUEUE_QUEUED_WORKER.
 *   freeWorker on FREE: FREE_FREED_WORKER; from its own callback on REQUEUED: FREE_REQUEUED_WORKER.
 * </pre>
 *
 * <table>
 *   <caption>What each call does in each state (rule = {@link VerifierException}, thrown in every mode)</caption>
 *   <tr><th>state</th><th>queueWorkItem</th><th>freeWorker (own callback)</th><th>freeWorker (other thread)</th><th>freeWorkerWhenIdle (other thread)</th></tr>
 *   <tr><td>IDLE</td><td>QUEUED</td><td>-</td><td>FREE</td><td>FREE</td></tr>
 *   <tr><td>QUEUED</td><td>QUEUE_QUEUED_WORKER</td><td>-</td><td>BUSY (FREE once the port closed)</td><td>waits, bounded, then FREE</td></tr>
 *   <tr><td>RUNNING</td><td>REQUEUED</td><td>FREE</td><td>BUSY</td><td>waits, bounded, then FREE</td></tr>
 *   <tr><td>REQUEUED</td><td>QUEUE_QUEUED_WORKER</td><td>FREE_REQUEUED_WORKER</td><td>BUSY</td><td>waits, bounded, then FREE</td></tr>
 *   <tr><td>FREE</td><td>QUEUE_FREED_WORKER</td><td>FREE_FREED_WORKER</td><td>FREE_FREED_WORKER</td><td>FREE_FREED_WORKER</td></tr>
 * </table>
 *
 * <p>One worker runs on at most one thread at a time: a worker queued again while RUNNING is
 * put back on the queue by its runner only after the callback returned. State changes happen
 * under {@link #lock}, a leaf lock (the task queue's lock is taken inside it); the callback itself
 * runs with no port lock held.
 *
 * @param <D> the device extension type
 */
final class WorkItems<D> {
    private final D deviceExtension;
    private final TaskQueue queue;
    private final PortDriver<D> port;
    private final SpinLock lock = new SpinLock("work-item lock");
    /** The monitor freeWorkerWhenIdle waits on; notified after every callback and at close. */
    private final Object idle = new Object();
    private volatile boolean closed;
    private int nextId;

    WorkItems(D deviceExtension, TaskQueue queue, PortDriver<D> port) {
        this.deviceExtension = deviceExtension;
        this.queue = queue;
        this.port = port;
    }

    /** StorPortInitializeWorker. At most DISPATCH. */
    Worker initializeWorker() {
        Verifier.checkAtMost("PortDriver.initializeWorker", Irql.DISPATCH);
        lock.lock();
        try {
            return new Worker(nextId++, this);
        } finally {
            lock.unlock();
        }
    }

    /** StorPortQueueWorkItem. At most DISPATCH; from inside the worker's own callback too. */
    void queue(Worker worker, WorkItemCallback<D> callback, Object context) {
        Verifier.checkAtMost("PortDriver.queueWorkItem", Irql.DISPATCH);
        if (closed) {
            throw new IllegalStateException("PortDriver.queueWorkItem(" + worker + "): the port is closed; the work item would never run");
        }
        boolean enqueue;
        lock.lock();
        try {
            switch (worker.state) {
                case FREE:
                    throw Verifier.violation(VerifierException.Rule.QUEUE_FREED_WORKER, "PortDriver.queueWorkItem(" + worker + ")",
                            "worker IDLE or RUNNING", "worker FREE");
                case QUEUED:
                case REQUEUED:
                    throw Verifier.violation(VerifierException.Rule.QUEUE_QUEUED_WORKER, "PortDriver.queueWorkItem(" + worker + ")",
                            "worker IDLE or RUNNING", "worker " + worker.state);
                case IDLE:
                    worker.state = Worker.State.QUEUED;
                    enqueue = true;
                    break;
                case RUNNING:
                    worker.state = Worker.State.REQUEUED;
                    enqueue = false;
                    break;
                default:
                    throw new AssertionError(worker.state);
            }
            worker.callback = callback;
            worker.context = context;
        } finally {
            lock.unlock();
        }
        if (enqueue) {
            queue.put(worker.task);
        }
    }

    /**
     * StorPortFreeWorker: frees an IDLE worker, or the worker whose callback runs on this thread;
     * a worker that is queued or runs elsewhere is {@link Worker.FreeStatus#BUSY} and stays as it
     * is, except one queued when the port closed, which can never run and is freed. Never waits.
     * At most DISPATCH.
     *
     * @throws VerifierException FREE_FREED_WORKER, FREE_REQUEUED_WORKER, WRONG_LEVEL at DIRQL
     */
    Worker.FreeStatus free(Worker worker) {
        Verifier.checkAtMost("PortDriver.freeWorker", Irql.DISPATCH);
        lock.lock();
        try {
            return freeLocked(worker);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Frees the worker once it is neither queued nor running, waiting (bounded) for its callback.
     * PASSIVE only.
     *
     * @throws IllegalStateException if it is still queued or running after {@code timeoutNanos}
     *     (the message names its state); e.g. called from a callback for a worker queued behind it
     *     on the only work-item thread
     * @throws VerifierException as {@link #free}, and BLOCKING_CALL_AT_RAISED_LEVEL above PASSIVE
     */
    void freeWhenIdle(Worker worker, long timeoutNanos) {
        Verifier.mightSleep("PortDriver.freeWorkerWhenIdle");
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (idle) {
            for (;;) {
                Worker.State state;
                lock.lock();
                try {
                    if (freeLocked(worker) == Worker.FreeStatus.FREED) {
                        return;
                    }
                    state = worker.state;
                } finally {
                    lock.unlock();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(worker + " still " + state + " after "
                            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms; freeWorkerWhenIdle gave up");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(idle, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting to free " + worker, e);
                }
            }
        }
    }

    /** The port closed: queued workers will never run. Wakes every freeWorkerWhenIdle. PASSIVE. */
    void close() {
        closed = true;
        synchronized (idle) {
            idle.notifyAll();
        }
    }

    private Worker.FreeStatus freeLocked(Worker worker) {
        if (worker.state == Worker.State.FREE) {
            throw Verifier.violation(VerifierException.Rule.FREE_FREED_WORKER, "PortDriver.freeWorker(" + worker + ")",
                    "worker not FREE", "worker FREE");
        }
        boolean ownCallback = worker.runner == Thread.currentThread();
        if (ownCallback && worker.state == Worker.State.REQUEUED) {
            throw Verifier.violation(VerifierException.Rule.FREE_REQUEUED_WORKER,
                    "PortDriver.freeWorker(" + worker + ") from its own callback", "worker RUNNING", "worker REQUEUED");
        }
        boolean neverRuns = closed && worker.state == Worker.State.QUEUED;
        if (worker.state != Worker.State.IDLE && !ownCallback && !neverRuns) {
            return Worker.FreeStatus.BUSY;
        }
        worker.state = Worker.State.FREE;
        worker.callback = null;
        worker.context = null;
        return Worker.FreeStatus.FREED;
    }

    /** Runs on a work-item thread at PASSIVE, holding no port lock while the callback runs. */
    @SuppressWarnings("unchecked")
    void runCallback(Worker worker) {
        WorkItemCallback<D> callback;
        Object context;
        lock.lock();
        try {
            worker.state = Worker.State.RUNNING;
            worker.runner = Thread.currentThread();
            callback = (WorkItemCallback<D>) worker.callback;
            context = worker.context;
        } finally {
            lock.unlock();
        }
        try {
            callback.run(deviceExtension, context, worker);
        } catch (Throwable t) {
            port.recordFailure("work item callback of " + worker, t);
        }
        boolean again = false;
        lock.lock();
        try {
            worker.runner = null;
            if (worker.state == Worker.State.RUNNING) {
                worker.state = Worker.State.IDLE;
            } else if (worker.state == Worker.State.REQUEUED) {
                worker.state = Worker.State.QUEUED;
                again = true;
            }
        } finally {
            lock.unlock();
        }
        if (again) {
            queue.put(worker.task);
        }
        synchronized (idle) {
            idle.notifyAll(); // PASSIVE: a callback just ended, a freeWorkerWhenIdle may go on
        }
    }
}
