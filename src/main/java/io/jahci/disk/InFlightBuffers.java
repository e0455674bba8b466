package io.jahci.disk;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of direct buffers for requests kept in flight: a submitter takes one (waiting while
 * all are in use), the request's completion gives it back. Bounds the queue depth a tool keeps.
 * One thread takes buffers ({@link #acquire}, {@link #awaitAll}); completions on any thread give
 * them back. Nothing is allocated after construction, waiting included (the waiter parks itself
 * and a release unparks it), so a submit loop built on it allocates nothing per request.
 */
public final class InFlightBuffers {
    private final ByteBuffer[] buffers;
    private final boolean[] busy;
    private final AtomicInteger free;
    /** The thread parked in {@link #awaitFree}, or null. */
    private volatile Thread waiter;

    public InFlightBuffers(int count, int bytes) {
        buffers = new ByteBuffer[count];
        busy = new boolean[count];
        for (int i = 0; i < count; i++) {
            buffers[i] = ByteBuffer.allocateDirect(bytes);
        }
        free = new AtomicInteger(count);
    }

    /** Takes a free buffer's index, waiting while all are in flight. The taking thread, PASSIVE. */
    public int acquire() throws InterruptedException {
        awaitFree(1);
        free.decrementAndGet();
        synchronized (busy) {
            for (int i = 0; i < busy.length; i++) {
                if (!busy[i]) {
                    busy[i] = true;
                    return i;
                }
            }
        }
        throw new IllegalStateException("no free buffer although the count said one was free");
    }

    /** Whether a buffer is free now ({@link #acquire} would not wait). Any thread. */
    public boolean hasFree() {
        return free.get() > 0;
    }

    /** Whether every buffer is back now ({@link #awaitAll} would not wait). Any thread. */
    public boolean allFree() {
        return free.get() == buffers.length;
    }

    /** Buffer {@code i}, cleared and limited to {@code bytes}. */
    public ByteBuffer buffer(int i, int bytes) {
        return buffers[i].clear().limit(bytes);
    }

    /** Gives buffer {@code i} back; callable from a completion (any level: it only unparks). */
    public void release(int i) {
        synchronized (busy) {
            busy[i] = false;
        }
        free.incrementAndGet();
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** Waits until every buffer is back: every request completed. The taking thread, PASSIVE. */
    public void awaitAll() throws InterruptedException {
        awaitFree(buffers.length);
    }

    /**
     * Parks until at least {@code n} buffers are free. The waiter is published before the count is
     * read again, and a release counts before it reads the waiter, so no release is missed.
     */
    private void awaitFree(int n) throws InterruptedException {
        if (free.get() >= n) {
            return;
        }
        if (waiter != null) {
            throw new IllegalStateException("two threads take buffers: one thread acquires, completions release");
        }
        waiter = Thread.currentThread();
        try {
            while (free.get() < n) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    throw new InterruptedException("waiting for a buffer in flight to come back");
                }
            }
        } finally {
            waiter = null;
        }
    }
}
