package io.jahci.miniport;

import io.jahci.ahci.AtaResult;
import io.jahci.fault.PortException;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One caller's read or write, split into commands that may run concurrently. Counts the chunks
 * still in flight, keeps the first failure, and finishes once: the future completes (normally or
 * exceptionally) when the last chunk completed.
 *
 * <p>Chunks complete at DISPATCH on port worker threads ({@link #chunkDone}); the submitter waits
 * on {@link #future()}.
 */
final class PortTransfer {
    private final ByteBuffer buffer;
    private final int base;
    private final AtomicInteger outstanding = new AtomicInteger(1);
    private final CompletableFuture<Void> future = new CompletableFuture<>();
    private volatile PortException failure;
    /** How a task-file command ended ({@link PortIo#execute}); set before its chunk is done, read after the future. */
    private AtaResult result;
    /** Bytes a task-file command moved (PRDBC), set with {@link #result}. */
    private int transferred;

    /** @param buffer user data between its position and limit; the position is not moved */
    PortTransfer(ByteBuffer buffer) {
        this.buffer = buffer;
        this.base = buffer.position();
    }

    CompletableFuture<Void> future() {
        return future;
    }

    /** Absolute index in the user buffer of byte {@code offset} of the transfer. */
    int at(int offset) {
        return base + offset;
    }

    ByteBuffer buffer() {
        return buffer;
    }

    AtaResult result() {
        return result;
    }

    /** Records how the task-file command ended and how many bytes it moved. DISPATCH, before {@link #chunkDone}. */
    void result(AtaResult r, int bytes) {
        result = r;
        transferred = bytes;
    }

    /** Bytes the task-file command moved (PRDBC); read after the future completed. */
    int transferred() {
        return transferred;
    }

    /** A chunk is about to be submitted. Submitter's thread. */
    void chunkStarted() {
        outstanding.incrementAndGet();
    }

    /** A chunk finished; {@code error} is null on success. DISPATCH or the submitter. */
    void chunkDone(PortException error) {
        if (error != null && failure == null) {
            failure = error;
        }
        finishOne();
    }

    /** Every chunk has been submitted: drop the submitter's own count. Submitter's thread. */
    void allSubmitted() {
        finishOne();
    }

    private void finishOne() {
        if (outstanding.decrementAndGet() == 0) {
            PortException f = failure;
            if (f == null) {
                future.complete(null);
            } else {
                future.completeExceptionally(f);
            }
        }
    }
}
