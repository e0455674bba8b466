package io.jahci.nbd;

import io.jahci.disk.Disk;

import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;

/**
 * A connection's preallocated request contexts and its one large buffer, guarded by this
 * object's monitor (held for a few field updates only, also at DISPATCH). The reader takes a
 * free context before it reads a request and waits while the client holds its
 * {@linkplain NbdExport#share() share} of the disk's queue; whoever finishes a request gives the
 * context back. Nothing is allocated after construction but the large buffer, at its first use.
 */
final class RequestContexts {
    private final NbdExport export;
    private final NbdRequest[] free;
    private final int count;
    private int freeCount;
    private int taken;
    private boolean largeBusy;
    private ByteBuffer large;
    private boolean stopped;
    /** The reasons to wait, made once (a capturing lambda per call would allocate). */
    private final BooleanSupplier noContextFree = () -> freeCount == 0 || taken >= share();
    private final BooleanSupplier largeBufferBusy = () -> largeBusy;

    RequestContexts(NbdConnection connection, NbdExport export, int count) {
        this.export = export;
        this.count = count;
        Disk disk = export.disk();
        this.free = new NbdRequest[count];
        for (int i = 0; i < count; i++) {
            free[i] = new NbdRequest(connection, disk);
        }
        this.freeCount = count;
    }

    /** How many contexts there are. */
    int count() {
        return count;
    }

    /** A free context, waiting while the client holds its share; null once stopped. Reader thread. */
    synchronized NbdRequest acquire() {
        if (!awaitWhile(noContextFree)) {
            return null;
        }
        taken++;
        return free[--freeCount];
    }

    private int share() {
        return export.share();
    }

    /** Waits while {@code blocked} holds; false once stopped (or interrupted). This object's monitor held. */
    private boolean awaitWhile(BooleanSupplier blocked) {
        while (!stopped && blocked.getAsBoolean()) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !stopped;
    }

    /** Gives a context back, and the large buffer it held. Any thread; never blocks. */
    synchronized void release(NbdRequest r) {
        r.replyData = null;
        if (r.large != null) {
            r.large = null;
            largeBusy = false;
        }
        free[freeCount++] = r;
        taken--;
        notifyAll();
    }

    /**
     * The large buffer, limited to {@code bytes}, for a request that does not fit one command,
     * waiting while another request holds it; null once stopped. Reader thread.
     */
    ByteBuffer largeBuffer(NbdRequest r, int bytes) {
        synchronized (this) {
            if (!awaitWhile(largeBufferBusy)) {
                return null;
            }
            largeBusy = true;
        }
        if (large == null) {
            large = ByteBuffer.allocateDirect(NbdExport.MAX_REQUEST_BYTES);
        }
        r.large = large;
        return large.clear().limit(bytes);
    }

    /** No context or large buffer is handed out any more; waiters return null. Any thread. */
    synchronized void stop() {
        stopped = true;
        notifyAll();
    }

    /**
     * Waits until every context is back (all replies sent or dropped), at most {@code millis};
     * whether they all are. PASSIVE.
     */
    synchronized boolean awaitAllFree(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        long left;
        while (taken > 0 && (left = deadline - System.nanoTime()) > 0) {
            wait(Math.max(1, left / 1_000_000L));
        }
        return taken == 0;
    }
}
