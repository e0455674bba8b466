package io.jahci.ataport;

/** A unit of work a port thread runs, linked intrusively into one {@link TaskQueue} at a time. */
abstract class Task {
    /** The next task in the queue; guarded by the queue's lock. */
    Task next;

    /** Runs the task on a port thread. Must not throw: failures are recorded by the task. */
    abstract void run();
}
