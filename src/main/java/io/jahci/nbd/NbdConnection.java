package io.jahci.nbd;

import io.jahci.disk.Disk;
import io.jahci.fault.PortException;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ArrayBlockingQueue;

import static io.jahci.nbd.NbdProtocol.*;

/**
 * One client: its reader thread (PASSIVE) runs the handshake, then reads requests, checks them
 * and submits them to the disk; its sender thread (PASSIVE) writes the replies, in the order the
 * disk completes them (proto.md allows any order). Completions run at DISPATCH on the port's
 * workers and only hand the request to the sender ({@link #completed}).
 *
 * <pre>
 *  request context:  FREE --reader--> SUBMITTED --completion (DISPATCH)--> REPLYING --sender--> FREE
 *                    FREE --reader (refused, FLUSH, TRIM, WRITE_ZEROES)--> REPLYING
 * </pre>
 *
 * The reader takes a FREE context before it reads a request and waits while the client holds its
 * {@linkplain NbdExport#share() share} of the disk's queue: a client that does not read its
 * replies keeps its contexts REPLYING, so the reader stops reading from it (bounded memory) and
 * no other client waits for it. Counters are guarded by this object's monitor, held only for a
 * few field updates (also at DISPATCH).
 */
final class NbdConnection {
    /** Requests a client may have in flight at most, whatever the disk's queue depth. */
    static final int MAX_CONTEXTS = 32;

    private final NbdServer server;
    private final SocketChannel ch;
    private final String name;
    private final Thread reader;
    private final Thread sender;
    private final NbdRequest end = new NbdRequest(this);
    private ByteBuffer large;
    /** Reader thread: zeroes for WRITE_ZEROES, allocated at the first one. */
    private ByteBuffer zeroes;

    // reader thread only
    private NbdExport export;
    private Disk disk;
    private boolean structured;
    private long requests;

    // this object's monitor
    private NbdRequest[] free;
    private int freeCount;
    private int taken;
    private int submitted;
    private boolean reading = true;
    private boolean largeBusy;

    private volatile boolean stopping;
    private ArrayBlockingQueue<NbdRequest> replies;
    /** Sender thread only: the socket failed, replies are dropped. */
    private boolean broken;

    NbdConnection(NbdServer server, SocketChannel ch, int id) {
        this.server = server;
        this.ch = ch;
        this.name = "client " + id;
        this.reader = new Thread(this::runReader, "jahci-nbd-" + id + "-reader");
        this.sender = new Thread(this::runSender, "jahci-nbd-" + id + "-sender");
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
        int contexts = Math.min(MAX_CONTEXTS, Math.max(1, disk.queueDepth()));
        synchronized (this) {
            free = new NbdRequest[contexts];
            for (int i = 0; i < contexts; i++) {
                free[i] = new NbdRequest(this);
            }
            freeCount = contexts;
        }
        replies = new ArrayBlockingQueue<>(contexts + 1);
        export.join();
        sender.start();
    }

    private void transmission() throws IOException, NbdProtocolException {
        ByteBuffer header = ByteBuffer.allocateDirect(REQUEST_BYTES);
        while (true) {
            NbdRequest r = acquire();
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
                requests++;
                if (r.type == CMD_DISC) {
                    return;
                }
                if (r.type == CMD_WRITE) {
                    receivePayload(r);
                }
                handedOver = true;
                handle(r);
            } finally {
                if (!handedOver) {
                    release(r);
                }
            }
        }
    }

    /** Answers a request that was read completely: refused, submitted to the disk, or (FLUSH) done here. */
    private void handle(NbdRequest r) {
        int refusal = Refusal.of(r, export, stopping);
        if (refusal != 0) {
            reply(r, refusal);
            return;
        }
        switch (r.type) {
            case CMD_READ -> submit(r, false);
            case CMD_WRITE -> submit(r, true);
            case CMD_TRIM, CMD_WRITE_ZEROES -> discard(r);
            case CMD_FLUSH -> {
                try {
                    disk.flush();
                } catch (PortException | RuntimeException e) {
                    r.failure = e;
                    r.error = EIO;
                }
                reply(r, r.error);
            }
            default -> throw new IllegalStateException("Refusal.of passed " + r.describe());
        }
    }

    /**
     * Reads a WRITE's payload into the request's buffer (or drops it when the export is
     * read-only); a payload larger than the maximum block size ends the connection unread.
     */
    private void receivePayload(NbdRequest r) throws IOException, NbdProtocolException {
        long bytes = r.unsignedLength();
        if (bytes > NbdExport.MAX_REQUEST_BYTES) {
            throw new NbdProtocolException(r.describe() + " is longer than the maximum block size "
                    + NbdExport.MAX_REQUEST_BYTES + " the server announced; its payload was not read");
        }
        if (!export.writable()) {
            Wire.skip(ch, bytes, r.ownBuffer(NbdRequest.OWN_BUFFER_BYTES), "the data of " + r.describe());
            return;
        }
        r.data = buffer(r, (int) bytes);
        if (r.data == null) {
            throw new EOFException("the server stopped before the data of " + r.describe() + " was read");
        }
        Wire.readFully(ch, r.data, "the data of " + r.describe());
        r.data.rewind();
    }

    /**
     * TRIM and WRITE_ZEROES, on the reader (DATA SET MANAGEMENT is not queued; zeroes are written
     * chunk by chunk): WRITE_ZEROES trims when the disk reads trimmed sectors as zeroes and the
     * client allows holes (no NBD_CMD_FLAG_NO_HOLE), else writes zeroes. FUA adds a FLUSH CACHE EXT.
     */
    private void discard(NbdRequest r) {
        long lba = r.offset / disk.sectorSize();
        long sectors = r.unsignedLength() / disk.sectorSize();
        try {
            if (r.type == CMD_TRIM || ((r.flags & CMD_FLAG_NO_HOLE) == 0 && disk.trimReadsZeroes())) {
                disk.trim(lba, sectors);
            } else {
                writeZeroes(lba, sectors);
            }
            if ((r.flags & CMD_FLAG_FUA) != 0) {
                disk.flush();
            }
        } catch (PortException | RuntimeException e) {
            r.failure = e;
            r.error = EIO;
        }
        reply(r, r.error);
    }

    private void writeZeroes(long lba, long sectors) throws PortException {
        if (zeroes == null) {
            zeroes = ByteBuffer.allocateDirect(NbdRequest.OWN_BUFFER_BYTES);
        }
        int chunk = NbdRequest.OWN_BUFFER_BYTES / disk.sectorSize();
        for (long done = 0; done < sectors; done += chunk) {
            int n = (int) Math.min(chunk, sectors - done);
            disk.write(lba + done, zeroes.clear().limit(n * disk.sectorSize()));
        }
    }

    private void submit(NbdRequest r, boolean write) {
        if (!write) {
            r.data = buffer(r, r.length);
            if (r.data == null) {
                reply(r, ESHUTDOWN);
                return;
            }
        }
        long lba = r.offset / disk.sectorSize();
        synchronized (this) {
            submitted++;
        }
        try {
            if (!write) {
                disk.readAsync(lba, r.data).whenComplete(r);
            } else if ((r.flags & CMD_FLAG_FUA) == 0) {
                disk.writeAsync(lba, r.data).whenComplete(r);
            } else if (disk.supportsFua()) {
                disk.writeFuaAsync(lba, r.data).whenComplete(r);
            } else {
                disk.writeThrough(lba, r.data);
                r.accept(null, null);
            }
        } catch (PortException | RuntimeException e) {
            r.accept(null, e);
        }
    }

    /**
     * A buffer of {@code bytes} for the request: its own, or the connection's large one (waiting
     * while another request holds it); null once the connection stops. Reader thread.
     */
    private ByteBuffer buffer(NbdRequest r, int bytes) {
        if (bytes <= NbdRequest.OWN_BUFFER_BYTES) {
            return r.ownBuffer(bytes);
        }
        synchronized (this) {
            while (largeBusy && !stopping) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            if (stopping) {
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

    /** A free context, waiting while the client holds its share; null once the connection stops. */
    private synchronized NbdRequest acquire() {
        while (!stopping && (freeCount == 0 || taken >= export.share())) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        if (stopping) {
            return null;
        }
        taken++;
        return free[--freeCount];
    }

    /** Hands a request that did not reach the disk to the sender. Reader thread. */
    private void reply(NbdRequest r, int error) {
        r.error = error;
        replies.add(r);
    }

    // ---------------------------------------------------------------- completion (DISPATCH)

    /** The disk completed a submitted request: hand it to the sender. DISPATCH; never blocks. */
    void completed(NbdRequest r) {
        synchronized (this) {
            submitted--;
            if (submitted == 0) {
                notifyAll();
            }
        }
        replies.add(r); // never full: it holds every context and the end marker
    }

    // ---------------------------------------------------------------- sender (PASSIVE)

    private void runSender() {
        ByteBuffer[] gather = new ByteBuffer[2];
        while (true) {
            NbdRequest r;
            try {
                r = replies.take();
            } catch (InterruptedException e) {
                return;
            }
            if (r == end) {
                return;
            }
            if (r.failure != null) {
                server.log(name + " (" + export.info().name() + "): " + r.describe() + " failed, replying EIO: "
                        + r.failure.getMessage());
            }
            if (!broken) {
                try {
                    send(r, gather);
                } catch (IOException e) {
                    broken = true;
                    stop();
                }
            }
            release(r);
        }
    }

    /** Writes one reply: simple, or a structured chunk for READ when negotiated. Sender thread. */
    private void send(NbdRequest r, ByteBuffer[] gather) throws IOException {
        ByteBuffer h = r.replyHeader.clear();
        boolean read = r.type == CMD_READ;
        if (read && structured) {
            if (r.error == 0) {
                Replies.offsetData(h, r.handle, r.offset, r.length);
            } else {
                Replies.errorOffset(h, r.handle, r.error, r.offset);
            }
        } else {
            Replies.simple(h, r.error, r.handle);
        }
        h.flip();
        if (read && r.error == 0) {
            gather[0] = h;
            gather[1] = r.data;
            while (r.data.hasRemaining()) {
                ch.write(gather);
            }
        } else {
            Wire.writeFully(ch, h);
        }
    }

    /** Gives a context back (and the large buffer it held). Sender or reader thread. */
    private void release(NbdRequest r) {
        r.data = null;
        synchronized (this) {
            if (r.large != null) {
                r.large = null;
                largeBusy = false;
            }
            free[freeCount++] = r;
            taken--;
            notifyAll();
        }
    }

    // ---------------------------------------------------------------- end

    /** The reader is done: wait for every reply, stop the sender, close, tell the server. Reader thread. */
    private void finish(String rejected) {
        synchronized (this) {
            reading = false;
            notifyAll();
        }
        if (rejected != null) {
            closeQuietly(); // a protocol error ends the session now (proto.md: hard disconnect)
        }
        if (export != null) {
            synchronized (this) {
                while (taken > 0) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            replies.add(end);
            try {
                sender.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            export.leave();
        }
        closeQuietly();
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
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (this) {
            long left;
            while (taken > 0 && (left = deadline - System.nanoTime()) > 0) {
                wait(Math.max(1, left / 1_000_000L));
            }
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

    long requests() {
        return requests;
    }
}
