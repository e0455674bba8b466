package io.jahci.ataport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A non-reentrant spin lock, the Java stand-in for a kernel spin lock: the interrupt lock, the
 * channel lock and the short leaf locks of the port's queues.
 *
 * <p>Acquiring it never allocates and never parks (unlike {@code ReentrantLock}, whose contended
 * path enqueues a node); after a short spin it yields the processor. Holders must not block.
 * Acquiring a lock the calling thread already holds is a bug that would deadlock, so it throws
 * (the port checks its callers first and reports {@link VerifierException.Rule#CHANNEL_LOCK_ALREADY_OWNED}).
 *
 * <p>A thread that finds the lock taken publishes itself as its {@link #waiter()} until it gets
 * it: one volatile write on the contended path only, so a test can see, by observation rather
 * than by waiting, that a thread is held at this lock.
 */
final class SpinLock {
    private static final int SPINS_BEFORE_YIELD = 64;
    private static final VarHandle OWNER;
    private static final VarHandle WAITER;

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(SpinLock.class, "owner", Thread.class);
            WAITER = MethodHandles.lookup().findVarHandle(SpinLock.class, "waiter", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    /** A channel lock: an interrupt thread never takes it (asserted). */
    private final boolean notOnInterruptThread;
    @SuppressWarnings("unused") // accessed through OWNER
    private volatile Thread owner;
    private volatile Thread waiter;

    SpinLock(String name) {
        this(name, false);
    }

    /** @param notOnInterruptThread true for a channel lock, which an interrupt thread must never wait for */
    SpinLock(String name, boolean notOnInterruptThread) {
        this.name = name;
        this.notOnInterruptThread = notOnInterruptThread;
    }

    void lock() {
        assert !(notOnInterruptThread && Levels.onInterruptThread()) : name + " taken on interrupt thread "
                + Thread.currentThread().getName() + " (it would hold off every ISR of its source)";
        Thread me = Thread.currentThread();
        if (owner == me) {
            throw new IllegalStateException(name + " is already held by " + me.getName()
                    + " (a routine that holds it called back into the port in a way that needs it again)");
        }
        if (OWNER.compareAndSet(this, null, me)) {
            return;
        }
        waiter = me;
        int spins = 0;
        while (!OWNER.compareAndSet(this, null, me)) {
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        WAITER.compareAndSet(this, me, null);
    }

    /** Takes the lock if it is free, never spinning (a poller skips a busy round). */
    boolean tryLock() {
        assert !(notOnInterruptThread && Levels.onInterruptThread()) : name + " taken on an interrupt thread";
        return OWNER.compareAndSet(this, null, Thread.currentThread());
    }

    void unlock() {
        if (owner != Thread.currentThread()) {
            throw new IllegalStateException(name + " released by " + Thread.currentThread().getName()
                    + ", which does not hold it");
        }
        OWNER.setRelease(this, null);
    }

    boolean isHeldByCurrentThread() {
        return owner == Thread.currentThread();
    }

    /**
     * A thread spinning for this lock right now, or null (with several, the last to arrive that
     * has not got it yet, or null if that one got it first).
     */
    Thread waiter() {
        return waiter;
    }

    @Override
    public String toString() {
        return name;
    }
}
