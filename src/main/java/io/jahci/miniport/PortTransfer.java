package io.jahci.miniport;

import io.jahci.ahci.AtaResult;
import io.jahci.ahci.PortTfd;
import io.jahci.fault.PortException;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One caller's read, write or task-file command, split into commands that may run concurrently:
 * counts the chunks still in flight, keeps the first failure, and finishes once, when the last
 * chunk completed, by calling its {@link Completion}. Like an IRP a driver preallocates, a caller
 * may make one per request context and reuse it for one transfer after another ({@link PortIo}'s
 * reusable entry points): then nothing is allocated per transfer. The blocking and future-based
 * entry points make a one-shot transfer whose completion completes a future.
 *
 * <p>A transfer may also hold a {@linkplain PortIo#reserve reserved command}: the caller then moves
 * data in place through that command's DMA buffer ({@link #data()}), with no copy, until it
 * {@linkplain PortIo#release releases} it.
 *
 * <p>Chunks complete at DISPATCH on the thread that runs the port's completions
 * ({@link #chunkDone}); the submitter's thread starts the transfer. A transfer is started again
 * only after its completion ran (else {@link IllegalStateException}).
 */
public final class PortTransfer {
    /** How a transfer tells its owner it finished. */
    @FunctionalInterface
    public interface Completion {
        /**
         * The transfer's last chunk completed; {@code failure} is the first chunk's failure, or
         * null. DISPATCH, on a port thread, no lock held: record the outcome and hand it on; never
         * block, never submit. The transfer may be started again from here on.
         */
        void transferDone(PortTransfer transfer, PortException failure);
    }

    private static final Completion COMPLETE_FUTURE = (t, failure) -> {
        if (failure == null) {
            t.future.complete(null);
        } else {
            t.future.completeExceptionally(failure);
        }
    };

    private final Completion completion;
    /** The one-shot transfer's future; null for a reusable transfer. */
    private final CompletableFuture<Void> future;
    /** Chunks in flight, plus one while the submitter is still submitting; 0 when idle. */
    private final AtomicInteger outstanding = new AtomicInteger();
    private ByteBuffer buffer;
    private int base;
    /** Where the buffer's position goes when a read or write succeeds; -1 for a task-file command (it stays). */
    private int end;
    private volatile PortException failure;
    /** How a task-file command ended: PxTFD and the D2H Register FIS's LBA and COUNT (-1: none came). */
    private int resultTaskFile;
    private long resultLba;
    private int resultCount;
    /** Bytes a task-file command moved (PRDBC). */
    private int transferred;
    /** The command reserved for in-place transfers, or null; written by its owner's thread at PASSIVE. */
    AhciCommand reserved;
    /** The bytes the reserved command moves per transfer. */
    int reservedBytes;

    /** A reusable transfer that calls {@code completion} at the end of each use. */
    public PortTransfer(Completion completion) {
        if (completion == null) {
            throw new IllegalArgumentException("a transfer needs a completion");
        }
        this.completion = completion;
        this.future = null;
    }

    private PortTransfer() {
        this.completion = COMPLETE_FUTURE;
        this.future = new CompletableFuture<>();
    }

    /**
     * A one-shot transfer of {@code buffer}'s remaining bytes, started; its end completes {@link #future()}.
     * With {@code advance} (a read or write) the buffer's position moves as {@link #start} says.
     */
    static PortTransfer oneShot(ByteBuffer buffer, boolean advance) {
        PortTransfer t = new PortTransfer();
        t.start(buffer, advance);
        return t;
    }

    /**
     * Begins a use: {@code buffer} (null when the data moves in place or there is none) holds the
     * user data between its position and limit. With {@code advance} (a read or write of the user's
     * buffer) the position moves to the limit when every chunk succeeded, before the completion runs,
     * as a channel's read or write moves it; on a failure it stays. Without it (a task-file command's
     * data) it never moves. Submitter's thread.
     *
     * @throws IllegalStateException if the previous use has not completed
     */
    void start(ByteBuffer buffer, boolean advance) {
        if (!outstanding.compareAndSet(0, 1)) {
            throw new IllegalStateException("a transfer was started again before its completion ran");
        }
        this.buffer = buffer;
        this.base = buffer == null ? 0 : buffer.position();
        this.end = buffer != null && advance ? buffer.limit() : -1;
        this.failure = null;
    }

    /** Undoes {@link #start} when not one chunk could be submitted: the caller gets the exception instead. */
    void abandon() {
        outstanding.set(0);
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

    /**
     * The reserved command's DMA buffer, position 0 and limit the bytes reserved (set anew at each
     * call): fill it before a write, read it after a read completed. The port moves the bytes
     * reserved, wherever position and limit were left. By the transfer's owner, any level.
     *
     * @throws IllegalStateException if no command is reserved
     */
    public ByteBuffer data() {
        if (reserved == null) {
            throw new IllegalStateException("no command is reserved for this transfer (PortIo.reserve)");
        }
        return reserved.dataView().clear().limit(reservedBytes);
    }

    /** The bytes the reserved command moves per transfer (0 when none is reserved). */
    public int reservedBytes() {
        return reserved == null ? 0 : reservedBytes;
    }

    /** Whether a command is reserved for in-place transfers. */
    public boolean holdsCommand() {
        return reserved != null;
    }

    /** Records how the task-file command ended and how many bytes it moved. DISPATCH, before {@link #chunkDone}. */
    void result(int taskFile, long lba, int count, int bytes) {
        resultTaskFile = taskFile;
        resultLba = lba;
        resultCount = count;
        transferred = bytes;
    }

    /** How the task-file command ended, as the caller sees it. After the completion, caller's side. */
    AtaResult result() {
        return new AtaResult(PortTfd.STS.get(resultTaskFile), PortTfd.ERR.get(resultTaskFile), resultLba, resultCount);
    }

    /** Bytes the task-file command moved (PRDBC); read after the completion. */
    int transferred() {
        return transferred;
    }

    /** A chunk is about to be submitted. Submitter's thread. */
    void chunkStarted() {
        outstanding.incrementAndGet();
    }

    /** A chunk finished; {@code error} is null on success. DISPATCH, or the submitter for a chunk it could not submit. */
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

    /** Whether a use is in progress (started, not yet completed). Any thread. */
    boolean inFlight() {
        return outstanding.get() != 0;
    }

    private void finishOne() {
        if (outstanding.decrementAndGet() == 0) {
            if (failure == null && end >= 0) {
                buffer.position(end);
            }
            completion.transferDone(this, failure);
        }
    }
}
