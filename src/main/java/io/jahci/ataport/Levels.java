package io.jahci.ataport;

/**
 * Per-thread level tracking behind {@link Irql#current()}.
 *
 * <p>A {@link PortThread} carries its level in a field; any other thread keeps it in a
 * thread-local holder allocated the first time the port raises that thread.
 */
final class Levels {
    private static final class Holder {
        Irql level = Irql.PASSIVE;
        boolean servesInterrupts;
    }

    private static final ThreadLocal<Holder> FOREIGN = ThreadLocal.withInitial(Holder::new);

    private Levels() {}

    static Irql current() {
        Thread t = Thread.currentThread();
        if (t instanceof PortThread) {
            return ((PortThread) t).level;
        }
        return FOREIGN.get().level;
    }

    /** Sets the calling thread's level; returns the previous one for {@link #restore}. */
    static Irql raise(Irql level) {
        Thread t = Thread.currentThread();
        if (t instanceof PortThread) {
            PortThread p = (PortThread) t;
            Irql previous = p.level;
            p.level = level;
            return previous;
        }
        Holder h = FOREIGN.get();
        Irql previous = h.level;
        h.level = level;
        return previous;
    }

    static void restore(Irql previous) {
        raise(previous);
    }

    /**
     * Whether the calling thread is an interrupt thread: {@code jahci-irq-N}, or a waiter while it
     * services the interrupt it took ({@link InterruptConnection#awaitTakingInterrupt}). It runs the
     * ISRs of its source, so it never runs StartIo and never waits for a channel lock
     * (docs/port-layer.md, "The interrupt thread stays free for ISRs"). Any level; a type test and a
     * field read (a thread-local on a thread the port does not own).
     */
    static boolean onInterruptThread() {
        Thread t = Thread.currentThread();
        if (t instanceof PortThread) {
            return ((PortThread) t).servesInterrupts();
        }
        return FOREIGN.get().servesInterrupts;
    }

    /**
     * Marks the calling thread as servicing an interrupt (or no longer); returns the previous mark.
     * On the thread that owns an interrupt source; allocates nothing once the thread has been seen.
     */
    static boolean serveInterrupts(boolean serving) {
        Thread t = Thread.currentThread();
        if (t instanceof PortThread) {
            PortThread p = (PortThread) t;
            boolean previous = p.servicing;
            p.servicing = serving;
            return previous;
        }
        Holder h = FOREIGN.get();
        boolean previous = h.servesInterrupts;
        h.servesInterrupts = serving;
        return previous;
    }
}
