package io.jahci.ataport;

/**
 * A Storport worker handle ({@code PVOID Worker} from StorPortInitializeWorker): reusable, queued
 * with {@link PortDriver#queueWorkItem}, released with {@link PortDriver#freeWorker}. Its
 * transitions live in {@link WorkItems}.
 */
public final class Worker {
    /** Where a worker is in its life; see the drawing in {@link WorkItems}. */
    public enum State {
        /** Released by freeWorker; can never be queued again. */
        FREE,
        /** Initialized, not queued. */
        IDLE,
        /** Waiting for a work-item thread. */
        QUEUED,
        /** Its callback is running. */
        RUNNING,
        /** Its callback is running and it was queued again; it runs again after the callback returns. */
        REQUEUED
    }

    private final int id;
    final Task task;
    // The fields below are guarded by the WorkItems lock.
    State state = State.IDLE;
    WorkItemCallback<?> callback;
    Object context;
    /** The work-item thread running the callback, while RUNNING or REQUEUED. */
    Thread runner;
    /** A thread parked in freeWorker until this worker is idle. */
    Thread freeWaiter;

    Worker(int id, WorkItems<?> owner) {
        this.id = id;
        this.task = new Task() {
            @Override
            void run() {
                owner.runCallback(Worker.this);
            }
        };
    }

    /** The current state (a snapshot, for diagnostics and tests). */
    public State state() {
        return state;
    }

    @Override
    public String toString() {
        return "worker " + id;
    }
}
