package io.jahci.ataport;

import java.util.concurrent.locks.LockSupport;

/**
 * An intrusive FIFO of {@link Task}s served by a fixed set of {@link PortThread}s.
 *
 * <p>Allocation-free: tasks link through {@link Task#next}, idle consumers wait in a preallocated
 * array. A consumer waits as its {@link PortThread#spinner} says ({@link WaitMode}): it spins on the
 * queue head for the spinner's window (forever with {@code spin}, not at all with {@code block}),
 * then registers as idle and parks until a producer hands it work ({@link LockSupport#unpark}).
 * Lock order: this queue's lock is a leaf; nothing else is acquired while it is held.
 */
final class TaskQueue {
    private final SpinLock lock;
    private final PortThread[] idle;
    private int idleCount;
    private volatile Task head;
    private Task tail;
    private volatile boolean closed;
    /** What a spinning consumer polls for (a field: a method reference per take would allocate). */
    private final java.util.function.BooleanSupplier workOrClosed = () -> head != null || closed;

    TaskQueue(String name, int consumers) {
        this.lock = new SpinLock(name + " queue lock");
        this.idle = new PortThread[consumers];
    }

    /** Appends a task and wakes one idle consumer. Callable from any thread and level. */
    void put(Task task) {
        PortThread wake = null;
        lock.lock();
        try {
            task.next = null;
            if (tail == null) {
                head = task;
            } else {
                tail.next = task;
            }
            tail = task;
            if (idleCount > 0) {
                wake = idle[--idleCount];
                idle[idleCount] = null;
                wake.idle = false;
            }
        } finally {
            lock.unlock();
        }
        if (wake != null) {
            LockSupport.unpark(wake);
        }
    }

    /** Takes the next task, waiting for one; returns null once the queue is closed. */
    Task take(PortThread self) {
        while (!closed) {
            boolean spun = self.spinner.spin(workOrClosed);
            Task task = pollOrGoIdle(self, !spun);
            if (task != null) {
                return task;
            }
            if (!spun) {
                while (self.idle && !closed) {
                    LockSupport.park(this);
                }
                self.spinner.woke();
            }
        }
        return null;
    }

    /** Takes the head, or (when {@code goIdle}) registers {@code self} as idle if there is none. */
    private Task pollOrGoIdle(PortThread self, boolean goIdle) {
        lock.lock();
        try {
            Task task = head;
            if (task != null) {
                head = task.next;
                if (head == null) {
                    tail = null;
                }
                task.next = null;
            } else if (goIdle) {
                self.idle = true;
                idle[idleCount++] = self;
            }
            return task;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops handing out tasks and wakes every consumer. Tasks still queued never run: returns how many
     * were dropped, for the caller to report (queued work at close means work lost).
     */
    int close(Iterable<PortThread> consumers) {
        int dropped = 0;
        lock.lock();
        try {
            closed = true;
            for (Task t = head; t != null; t = t.next) {
                dropped++;
            }
        } finally {
            lock.unlock();
        }
        for (PortThread t : consumers) {
            LockSupport.unpark(t);
        }
        return dropped;
    }
}
