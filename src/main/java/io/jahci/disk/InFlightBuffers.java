package io.jahci.disk;

import java.nio.ByteBuffer;
import java.util.concurrent.Semaphore;

/**
 * A fixed set of direct buffers for requests kept in flight: a submitter takes one (waiting while
 * all are in use), the request's completion gives it back. Bounds the queue depth a tool keeps.
 */
public final class InFlightBuffers {
    private final ByteBuffer[] buffers;
    private final boolean[] busy;
    private final Semaphore free;

    public InFlightBuffers(int count, int bytes) {
        buffers = new ByteBuffer[count];
        busy = new boolean[count];
        for (int i = 0; i < count; i++) {
            buffers[i] = ByteBuffer.allocateDirect(bytes);
        }
        free = new Semaphore(count);
    }

    /** Takes a free buffer's index, waiting while all are in flight. */
    public int acquire() throws InterruptedException {
        free.acquire();
        synchronized (busy) {
            for (int i = 0; i < busy.length; i++) {
                if (!busy[i]) {
                    busy[i] = true;
                    return i;
                }
            }
        }
        throw new IllegalStateException("no free buffer although the semaphore granted one");
    }

    /** Whether a buffer is free now ({@link #acquire} would not wait). Any thread. */
    public boolean hasFree() {
        return free.availablePermits() > 0;
    }

    /** Whether every buffer is back now ({@link #awaitAll} would not wait). Any thread. */
    public boolean allFree() {
        return free.availablePermits() == buffers.length;
    }

    /** Buffer {@code i}, cleared and limited to {@code bytes}. */
    public ByteBuffer buffer(int i, int bytes) {
        return buffers[i].clear().limit(bytes);
    }

    /** Gives buffer {@code i} back; callable from a completion. */
    public void release(int i) {
        synchronized (busy) {
            busy[i] = false;
        }
        free.release();
    }

    /** Waits until every buffer is back: every request completed. */
    public void awaitAll() throws InterruptedException {
        free.acquire(buffers.length);
        free.release(buffers.length);
    }
}
