package io.jahci.ataport;

import java.util.concurrent.locks.LockSupport;

/**
 * Storport-style work items: StorPortInitializeWorker, StorPortQueueWorkItem and
 * StorPortFreeWorker, with callbacks run at PASSIVE on the port's work-item threads.
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
 *         +-- freeWorker from another thread: waits (parks) until the worker is IDLE
 *
 *   queueWorkItem on FREE: rule QUEUE_FREED_WORKER; on QUEUED or REQUEUED: QUEUE_QUEUED_WORKER.
 * </pre>
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
    private final Verifier verifier;
    private final TaskQueue queue;
    private final PortDriver<D> port;
    private final SpinLock lock = new SpinLock("work-item lock");
    private int nextId;

    WorkItems(D deviceExtension, Verifier verifier, TaskQueue queue, PortDriver<D> port) {
        this.deviceExtension = deviceExtension;
        this.verifier = verifier;
        this.queue = queue;
        this.port = port;
    }

    /** StorPortInitializeWorker. At most DISPATCH. */
    Worker initializeWorker() {
        verifier.checkAtMost("PortDriver.initializeWorker", Irql.DISPATCH);
        lock.lock();
        try {
            return new Worker(nextId++, this);
        } finally {
            lock.unlock();
        }
    }

    /** StorPortQueueWorkItem. At most DISPATCH; from inside the worker's own callback too. */
    void queue(Worker worker, WorkItemCallback<D> callback, Object context) {
        verifier.checkAtMost("PortDriver.queueWorkItem", Irql.DISPATCH);
        boolean enqueue;
        lock.lock();
        try {
            switch (worker.state) {
                case FREE:
                    throw verifier.misuse(VerifierException.Rule.QUEUE_FREED_WORKER, "PortDriver.queueWorkItem(" + worker + ")",
                            "worker IDLE or RUNNING", "worker FREE");
                case QUEUED:
                case REQUEUED:
                    throw verifier.misuse(VerifierException.Rule.QUEUE_QUEUED_WORKER, "PortDriver.queueWorkItem(" + worker + ")",
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
     * StorPortFreeWorker. PASSIVE, because freeing a worker that is queued or running on another
     * thread waits until it is idle. From inside its own callback it frees at once.
     */
    void free(Worker worker) {
        verifier.checkMayBlock("PortDriver.freeWorker");
        Thread me = Thread.currentThread();
        for (;;) {
            lock.lock();
            try {
                if (worker.state == Worker.State.FREE) {
                    throw new IllegalStateException(worker + " was already freed");
                }
                boolean ownCallback = worker.runner == me;
                if (ownCallback && worker.state == Worker.State.REQUEUED) {
                    throw new IllegalStateException(worker + " was queued again by its own callback and cannot wait for itself;"
                            + " free it in the next run of the callback");
                }
                if (worker.state == Worker.State.IDLE || ownCallback) {
                    worker.state = Worker.State.FREE;
                    worker.callback = null;
                    worker.context = null;
                    return;
                }
                worker.freeWaiter = me;
            } finally {
                lock.unlock();
            }
            LockSupport.park(worker);
        }
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
        Thread waiter;
        lock.lock();
        try {
            worker.runner = null;
            if (worker.state == Worker.State.RUNNING) {
                worker.state = Worker.State.IDLE;
            } else if (worker.state == Worker.State.REQUEUED) {
                worker.state = Worker.State.QUEUED;
                again = true;
            }
            waiter = worker.freeWaiter;
            worker.freeWaiter = null;
        } finally {
            lock.unlock();
        }
        if (again) {
            queue.put(worker.task);
        }
        if (waiter != null) {
            LockSupport.unpark(waiter);
        }
    }
}
