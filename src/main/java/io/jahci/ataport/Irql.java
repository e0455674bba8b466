package io.jahci.ataport;

/**
 * The Windows interrupt request levels of the port model (docs/port-layer.md, "Levels"), in Java terms.
 *
 * <ul>
 *   <li>{@link #PASSIVE}: an ordinary thread that may block: the caller's own thread, channel
 *       init, Control(StartChannel/StopChannel), Storport work-item callbacks.
 *   <li>{@link #DISPATCH}: a port-owned thread that must not block and holds no interrupt lock:
 *       worker routines, timer routines, request completions, and StartIo/Initialize/Reset when
 *       SyncWithIsr is false.
 *   <li>{@link #DIRQL}: the current thread holds a channel's interrupt lock and is therefore
 *       serialized with that channel's ISR.
 * </ul>
 *
 * <p>The level is tracked per thread: a port-owned thread carries it in a field, any other thread
 * is PASSIVE unless the port raised it while calling a miniport routine on it (BuildIo and StartIo
 * run on the submitting thread).
 */
public enum Irql {
    PASSIVE,
    DISPATCH,
    DIRQL;

    /** The level of the calling thread. Allocates nothing once the thread has been seen. */
    public static Irql current() {
        return Levels.current();
    }

    boolean isAbove(Irql other) {
        return compareTo(other) > 0;
    }
}
