package io.jahci.nbd;

import io.jahci.disk.Disk;

import java.nio.ByteBuffer;

/**
 * A connection's preallocated request contexts and its one large buffer. The connection's loop
 * takes a free context before it reads a request, and gets none while the client holds its
 * {@linkplain NbdExport#share() share} of the disk's queue; it gives the context back once the
 * reply is written. Nothing here waits: a loop that gets no context or buffer stops reading the
 * client until one of its own replies frees one. The count of contexts taken is guarded by this
 * object's monitor (the server waits on it to close); the rest is the loop's. Nothing is allocated
 * after construction but the large buffer, at its first use.
 */
final class RequestContexts {
    private final NbdExport export;
    private final NbdRequest[] free;
    private final int count;
    /** The loop's. */
    private int freeCount;
    private boolean largeBusy;
    private ByteBuffer large;
    /** This object's monitor. */
    private int taken;

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

    /** A free context, or null while none is free or the client holds its share. Loop thread; never blocks. */
    synchronized NbdRequest tryAcquire() {
        if (freeCount == 0 || taken >= export.share()) {
            return null;
        }
        taken++;
        return free[--freeCount];
    }

    /** Gives a context back, and the large buffer it held. Loop thread; never blocks. */
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
     * The large buffer, limited to {@code bytes}, for a request that does not fit one command; null
     * while another request of this client holds it. Loop thread; never blocks.
     */
    ByteBuffer tryLargeBuffer(NbdRequest r, int bytes) {
        if (largeBusy) {
            return null;
        }
        largeBusy = true;
        if (large == null) {
            large = ByteBuffer.allocateDirect(NbdExport.MAX_REQUEST_BYTES);
        }
        r.large = large;
        return large.clear().limit(bytes);
    }

    /** Whether every context is back. Any thread. */
    synchronized boolean allFree() {
        return taken == 0;
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
