package io.jahci.nbd;

import io.jahci.disk.Disk;
import io.jahci.fault.PortException;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import static io.jahci.nbd.NbdProtocol.*;

/**
 * One client: its reader thread (PASSIVE) runs the handshake, then reads requests, checks them
 * and submits them to the disk through the context's {@link io.jahci.disk.DiskRequest}; the
 * {@link ReplySender} writes the replies, in the order the disk completes them (proto.md allows
 * any order). Completions run at DISPATCH on a port thread and only record the outcome and hand
 * the request to the sender ({@link #completed}). Nothing is allocated per READ, WRITE or FLUSH.
 *
 * <pre>
 *  request context:  FREE --reader--> SUBMITTED --completion (DISPATCH)--> REPLYING --sender--> FREE
 *                    FREE --reader (refused, TRIM, WRITE_ZEROES)--> REPLYING
 *                    SUBMITTED --completion (write, FUA emulated)--> FLUSHING --sender submits FLUSH--> SUBMITTED
 * </pre>
 *
 * The reader takes a FREE context ({@link RequestContexts}) before it reads a request and waits
 * while the client holds its {@linkplain NbdExport#share() share} of the disk's queue: a client
 * that does not read its replies keeps its contexts REPLYING, so the reader stops reading from it
 * (bounded memory) and no other client waits for it. The counters of requests submitted and of
 * the reader's state are guarded by this object's monitor, held only for a few field updates
 * (also at DISPATCH).
 */
final class NbdConnection {
    /** Requests a client may have in flight at most, whatever the disk's queue depth. */
    static final int MAX_CONTEXTS = 32;

    private final NbdServer server;
    private final SocketChannel ch;
    private final String name;
    private final Thread reader;
    private ReplySender sender;
    /** The request contexts; null before the transmission phase. */
    private volatile RequestContexts contexts;
    /** Reader thread: runs TRIM and WRITE_ZEROES. */
    private TrimAndZeroes trimAndZeroes;

    // reader thread only
    private NbdExport export;
    private Disk disk;
    private boolean structured;
    /** Requests read, by type: written by the reader, read by the server at any time. */
    final RequestCounts.Counter requests = new RequestCounts.Counter();

    // this object's monitor
    private int submitted;
    private boolean reading = true;

    private volatile boolean stopping;
    /** Reads and writes of at most this many bytes move in place (one command, copied into the own buffer at most). */
    private int inPlaceBytes;

    NbdConnection(NbdServer server, SocketChannel ch, int id) {
        this.server = server;
        this.ch = ch;
        this.name = "client " + id;
        this.reader = new Thread(this::runReader, "jahci-nbd-" + id + "-reader");
    }

    void start() {
        reader.start();
    }

    // ---------------------------------------------------------------- reader (PASSIVE)

    private void runReader() {
        String rejected = null;
        try {
            Handshake.Result h = new Handshake(ch, server, () -> stopping).run();
            if (h != null) {
                enterTransmission(h);
                transmission();
            }
        } catch (NbdProtocolException e) {
            rejected = e.getMessage();
        } catch (EOFException e) {
            rejected = stopping ? null : e.getMessage() + (export == null ? " (during the handshake)" : "");
        } catch (IOException e) {
            rejected = stopping ? null : "connection failed: " + e;
        } finally {
            finish(rejected);
        }
    }

    private void enterTransmission(Handshake.Result h) {
        export = server.export(h.export());
        disk = export.disk();
        structured = h.structuredReplies();
        inPlaceBytes = Math.min(NbdRequest.OWN_BUFFER_BYTES, disk.maxTransferBytes());
        trimAndZeroes = new TrimAndZeroes(disk);
        contexts = new RequestContexts(this, export, Math.min(MAX_CONTEXTS, Math.max(1, disk.queueDepth())));
        if (stopping) {
            contexts.stop();
        }
        sender = new ReplySender(this, ch, structured, contexts.count(), reader.getName().replace("reader", "sender"));
        export.join();
        sender.start();
    }

    private void transmission() throws IOException, NbdProtocolException {
        ByteBuffer header = ByteBuffer.allocateDirect(REQUEST_BYTES);
        while (true) {
            NbdRequest r = contexts.acquire();
            if (r == null) {
                return;
            }
            boolean handedOver = false;
            try {
                header.clear();
                if (ch.read(header) < 0) {
                    if (!stopping) {
                        throw new EOFException("the client hung up without NBD_CMD_DISC");
                    }
                    return;
                }
                Wire.readFully(ch, header, "a request header");
                if (!r.decode(header.flip())) {
                    throw new NbdProtocolException(String.format("request magic 0x%08x is not NBD_REQUEST_MAGIC 0x%08x",
                            header.getInt(0), REQUEST_MAGIC));
                }
                requests.count(r.type);
                if (r.type == CMD_DISC) {
                    return;
                }
                handedOver = handle(r);
            } finally {
                if (!handedOver) {
                    replied(r);
                }
            }
        }
    }

    /**
     * Answers a request whose header was read: reads a WRITE's payload, then refuses it, submits
     * it to the disk, or (TRIM, WRITE_ZEROES) runs it here. Returns false, with the context still
     * the reader's, when the connection stopped before the request could be submitted.
     */
    private boolean handle(NbdRequest r) throws IOException, NbdProtocolException {
        int refusal = Refusal.of(r, export, stopping);
        if (r.type == CMD_WRITE) {
            checkPayloadLength(r);
            if (refusal != 0) {
                Wire.skip(ch, r.unsignedLength(), r.ownBuffer(NbdRequest.OWN_BUFFER_BYTES), "the data of " + r.describe());
            }
        }
        if (refusal != 0) {
            reply(r, refusal);
            return true;
        }
        switch (r.type) {
            case CMD_READ, CMD_WRITE -> {
                return submit(r);
            }
            case CMD_TRIM, CMD_WRITE_ZEROES -> {
                trimAndZeroes.run(r);
                reply(r, r.error);
            }
            case CMD_FLUSH -> {
                return submit(r);
            }
            default -> throw new IllegalStateException("Refusal.of passed " + r.describe());
        }
        return true;
    }

    /** A payload larger than the maximum block size ends the connection unread (proto.md: the server may close). */
    private static void checkPayloadLength(NbdRequest r) throws NbdProtocolException {
        if (r.unsignedLength() > NbdExport.MAX_REQUEST_BYTES) {
            throw new NbdProtocolException(r.describe() + " is longer than the maximum block size "
                    + NbdExport.MAX_REQUEST_BYTES + " the server announced; its payload was not read");
        }
    }

    /**
     * Submits a READ, WRITE or FLUSH: in place through a reserved command when it fits one
     * ({@link NbdRequest}), else copied through the large buffer. A WRITE's payload is read here,
     * into the buffer it is written from. Returns false if the connection stopped first. Reader
     * thread; allocates nothing.
     */
    private boolean submit(NbdRequest r) throws IOException {
        boolean inPlace = r.type == CMD_FLUSH || r.length <= inPlaceBytes;
        ByteBuffer data = null;
        try {
            if (inPlace) {
                data = r.io.reserve(r.type == CMD_FLUSH ? disk.sectorSize() : r.length);
                if (r.type == CMD_READ) {
                    r.ensureOwnBuffer();
                }
            } else {
                data = contexts.largeBuffer(r, r.length);
                if (data == null) {
                    return false;
                }
            }
        } catch (PortException | RuntimeException e) {
            if (r.type == CMD_WRITE) {
                Wire.skip(ch, r.unsignedLength(), r.ownBuffer(NbdRequest.OWN_BUFFER_BYTES), "the data of " + r.describe());
            }
            fail(r, e);
            return true;
        }
        if (r.type == CMD_WRITE) {
            if (!Wire.fill(ch, data)) {
                throw Wire.closedEarly(data.position(), data.limit(), "the data of " + r.describe());
            }
            data.flip();
        }
        boolean fua = (r.flags & CMD_FLAG_FUA) != 0;
        r.flushNext = r.type == CMD_WRITE && fua && !disk.supportsFua();
        boolean diskFua = fua && !r.flushNext;
        long lba = r.offset / disk.sectorSize();
        synchronized (this) {
            submitted++;
        }
        try {
            switch (r.type) {
                case CMD_READ -> {
                    if (inPlace) {
                        r.io.read(lba);
                    } else {
                        r.io.read(lba, data);
                    }
                }
                case CMD_WRITE -> {
                    if (inPlace) {
                        r.io.write(lba, diskFua);
                    } else {
                        r.io.write(lba, data, diskFua);
                    }
                }
                default -> r.io.flush();
            }
        } catch (PortException | RuntimeException e) {
            completed(r, e);
        }
        return true;
    }

    /** Fails a request that could not be submitted: EIO, the reason in the log. Reader thread. */
    private void fail(NbdRequest r, Throwable e) {
        r.failure = e;
        r.error = EIO;
        if (r.io.holdsCommand()) {
            r.io.release();
        }
        reply(r, EIO);
    }

    /** Hands a request that did not reach the disk to the sender. Reader thread. */
    private void reply(NbdRequest r, int error) {
        r.error = error;
        sender.add(r);
    }

    // ---------------------------------------------------------------- completion (DISPATCH)

    /**
     * The disk ended a submitted request's read, write or flush ({@code failure} null on success):
     * records the outcome, gives back a command whose data is not needed, hands the request to the
     * sender. DISPATCH (or the reader, for a submission that failed); never blocks, allocates nothing.
     */
    void completed(NbdRequest r, Throwable failure) {
        if (failure != null) {
            r.failure = failure;
            r.error = EIO;
            r.flushNext = false;
        }
        if (r.io.holdsCommand() && !r.flushNext && !r.readInPlace()) {
            r.io.release();
        }
        if (r.readInPlace()) {
            r.replyData = r.io.data().limit(r.length);
        } else if (r.type == CMD_READ && r.error == 0) {
            r.replyData = r.large.flip(); // the read left its position at the length, as a channel's does
        }
        if (!r.flushNext) {
            synchronized (this) {
                submitted--;
                if (submitted == 0) {
                    notifyAll();
                }
            }
        }
        sender.add(r);
    }

    // ---------------------------------------------------------------- sender (PASSIVE)

    /**
     * A write that asked for FUA on a disk without FUA completed: FLUSH CACHE EXT now, through the
     * command it holds (or one reserved here); the flush's completion brings it back for its reply.
     * Sender thread.
     */
    void flushAfterWrite(NbdRequest r) {
        r.flushNext = false;
        try {
            if (!r.io.holdsCommand()) {
                r.io.reserve(disk.sectorSize());
            }
            r.io.flush();
        } catch (PortException | RuntimeException e) {
            completed(r, e);
        }
    }

    /** Logs why a request is answered EIO. Sender thread. */
    void logFailure(NbdRequest r) {
        server.log(name + " (" + export.info().name() + "): " + r.describe() + " failed, replying EIO: "
                + r.failure.getMessage());
    }

    /** The reply was sent (or dropped): gives back the command, the large buffer and the context. Sender thread. */
    void replied(NbdRequest r) {
        if (r.io.holdsCommand()) {
            r.io.release();
        }
        contexts.release(r);
    }

    // ---------------------------------------------------------------- end

    /**
     * The reader is done: wait for every reply, stop the sender, close, leave the reader's counts
     * ({@link NbdServer#threadEnding()}), tell the server. Reader thread.
     */
    private void finish(String rejected) {
        synchronized (this) {
            reading = false;
            notifyAll();
        }
        if (rejected != null) {
            closeQuietly(); // a protocol error ends the session now (proto.md: hard disconnect)
        }
        if (sender != null) {
            try {
                contexts.awaitAllFree(Long.MAX_VALUE / 2_000_000L);
                sender.finish();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            export.leave();
        }
        closeQuietly();
        server.threadEnding();
        server.ended(this, rejected == null ? null : name + " rejected: " + rejected);
    }

    /** Stop reading: no new request is read or submitted; what is in flight is answered. Any thread. */
    void stop() {
        stopping = true;
        try {
            ch.shutdownInput();
        } catch (IOException e) {
            // already closed
        }
        RequestContexts c = contexts;
        if (c != null) {
            c.stop();
        }
        synchronized (this) {
            notifyAll();
        }
    }


    /**
     * Waits until the reader submits nothing more and the disk completed all it got. A reader
     * still busy after {@code millis} (writing handshake replies a client does not read) is ended
     * by closing the socket; the disk's commands always complete (or time out). PASSIVE.
     */
    void awaitDiskIdle(long millis) throws InterruptedException {
        if (!awaitQuiet(millis)) {
            closeQuietly();
            awaitQuiet(Long.MAX_VALUE / 2_000_000L);
        }
    }

    private synchronized boolean awaitQuiet(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (reading || submitted > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000L));
        }
        return true;
    }

    /** Waits up to {@code millis} for the replies to be sent, then closes the socket and waits for the threads. PASSIVE. */
    void close(long millis) throws InterruptedException {
        RequestContexts c = contexts;
        if (c != null) {
            c.awaitAllFree(millis);
        }
        closeQuietly();
        reader.join();
    }

    private void closeQuietly() {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    String name() {
        return name;
    }

    /** The sender thread is about to end. Sender thread. */
    void senderEnding() {
        server.threadEnding();
    }
}
