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
 *   freeWorker on FREE: FREE_FREED_WORKER; from its own callback on REQUEUED: FREE_REQUEUED_WORKER.
 * </pre>
 *
 * <table>
 *   <caption>What each call does in each state (rule = {@link VerifierException}, thrown in every mode)</caption>
 *   <tr><th>state</th><th>queueWorkItem</th><th>freeWorker (own callback)</th><th>freeWorker (other thread)</th></tr>
 *   <tr><td>IDLE</td><td>QUEUED</td><td>-</td><td>FREE</td></tr>
 *   <tr><td>QUEUED</td><td>QUEUE_QUEUED_WORKER</td><td>-</td><td>waits until IDLE, then FREE</td></tr>
 *   <tr><td>RUNNING</td><td>REQUEUED</td><td>FREE</td><td>waits until IDLE, then FREE</td></tr>
 *   <tr><td>REQUEUED</td><td>QUEUE_QUEUED_WORKER</td><td>FREE_REQUEUED_WORKER</td><td>waits until IDLE, then FREE</td></tr>
 *   <tr><td>FREE</td><td>QUEUE_FREED_WORKER</td><td>FREE_FREED_WORKER</td><td>FREE_FREED_WORKER</td></tr>
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
     * StorPortFreeWorker. PASSIVE, because freeing a worker that is queued or running on another
     * thread waits until it is idle. From inside its own callback it frees at once.
     */
    void free(Worker worker) {
        Verifier.mightSleep("PortDriver.freeWorker");
        Thread me = Thread.currentThread();
        for (;;) {
            lock.lock();
            try {
                if (worker.state == Worker.State.FREE) {
                    throw Verifier.violation(VerifierException.Rule.FREE_FREED_WORKER, "PortDriver.freeWorker(" + worker + ")",
                            "worker not FREE", "worker FREE");
                }
                boolean ownCallback = worker.runner == me;
                if (ownCallback && worker.state == Worker.State.REQUEUED) {
                    throw Verifier.violation(VerifierException.Rule.FREE_REQUEUED_WORKER,
                            "PortDriver.freeWorker(" + worker + ") from its own callback", "worker RUNNING",
                            "worker REQUEUED");
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
