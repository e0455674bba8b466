package io.jahci.ataport;

/**
 * A thread the port driver owns: a DISPATCH worker, a PASSIVE work-item thread, the timer thread
 * or an interrupt thread. It carries its current {@link Irql} in a field so that tracking the
 * level costs one field write.
 */
final class PortThread extends Thread {
    /** Written and read only by this thread. */
    Irql level;
    /** True while this thread is parked in a {@link TaskQueue} waiting for a task. */
    volatile boolean idle;

    PortThread(String name, Irql baseLevel, Runnable body) {
        super(body, name);
        this.level = baseLevel;
        setDaemon(true);
    }
}
