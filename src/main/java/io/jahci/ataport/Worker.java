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

    /**
     * What {@link PortDriver#freeWorker} did, as StorPortFreeWorker's status: STOR_STATUS_SUCCESS
     * or STOR_STATUS_BUSY. (Its third answer, STOR_STATUS_UNSUCCESSFUL for a worker already free,
     * is misuse here and throws FREE_FREED_WORKER.)
     */
    public enum FreeStatus {
        /** The worker is FREE now. */
        FREED,
        /** The worker is queued or its callback runs on another thread: nothing changed; free it later. */
        BUSY
    }

    private final int id;
    final Task task;
    // The fields below are guarded by the WorkItems lock.
    State state = State.IDLE;
    WorkItemCallback<?> callback;
    Object context;
    /** The work-item thread running the callback, while RUNNING or REQUEUED. */
    Thread runner;

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
