package io.jahci.nbd;

import io.jahci.disk.Disk;
import io.jahci.fault.PortException;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One client, served by one thread (PASSIVE): it runs the handshake, then an event loop that reads
 * requests from the non-blocking socket and submits them ({@link RequestIntake}), takes the disk's
 * completions ({@link ReplyQueue}) and writes the replies ({@link ReplyWriter}), in the order the
 * disk completes them (proto.md allows any order). No request crosses to another thread of the
 * server: a completion runs at DISPATCH (on a port thread, or on this one) and only records the
 * outcome and queues the request for the loop ({@link #completed}). Nothing is allocated per
 * request.
 *
 * <pre>
 *  request context:  FREE --intake--> SUBMITTED --completion (DISPATCH)--> QUEUED --loop writes the reply--> FREE
 *                    FREE --intake (refused)--> QUEUED
 *                    QUEUED --loop (FUA emulated; TRIM, WRITE_ZEROES: next command)--> SUBMITTED
 *  loop:  answer what is queued (its replies in one gathering write); read what the socket holds,
 *         unless the socket is drained; when neither moved:
 *           requests in flight, no reply waiting, interrupt completions --> service the interrupt itself
 *                 ({@link Disk#awaitCompletions}, at most {@value #AWAIT_MICROS} us, blind to the socket meanwhile)
 *           otherwise, or nothing came --> wait in the selector: socket readable (a context free), socket
 *                 writable (replies waiting), or a completion queued ({@link Selector#wakeup})
 *  socket:  MAY_HOLD_MORE --a read returned fewer bytes than it asked for--> DRAINED (no read)
 *           DRAINED --the selector says readable; or awaitCompletions returned, requests still in flight;
 *                     or the server stops, or the socket was closed--> MAY_HOLD_MORE
 * </pre>
 *
 * A drained socket saves the reads that could only find it empty: at QD1 a READ costs the loop
 * one wait in the selector, one read, the interrupt's wait and one write. With requests in flight
 * the loop reads again after each interrupt it serviced, so a client that answers replies with new
 * requests is read between completions. A read that stopped for want of a context or of the large
 * buffer did not read the socket and does not drain it.
 *
 * The loop takes a free context ({@link RequestContexts}) before it reads a request and stops
 * reading while the client holds its {@linkplain NbdExport#share() share} of the disk's queue: a
 * client that does not read its replies keeps its contexts, so the server stops reading from it
 * (bounded memory) and no other client waits for it. The counters of requests submitted and of the
 * loop's reading are guarded by this object's monitor, held only for a few field updates (also at
 * DISPATCH).
 */
final class NbdConnection {
    /** Requests a client may have in flight at most, whatever the disk's queue depth. */
    static final int MAX_CONTEXTS = 32;
    /**
     * How long the loop services the interrupt for its own requests before it also watches the
     * socket again: a client that sends while requests are in flight waits at most this long for
     * the loop (or until one of them completes).
     */
    static final long AWAIT_MICROS = 1000;

    private final NbdServer server;
    private final SocketChannel ch;
    private final String name;
    private final Thread thread;
    /** Requests read, by type: written by the loop, read by the server at any time. */
    final RequestCounts.Counter requests = new RequestCounts.Counter();
    private volatile boolean stopping;
    /** Null before the transmission phase. */
    private volatile Selector selector;
    private volatile RequestContexts contexts;

    // loop thread only
    private NbdExport export;
    private SelectionKey key;
    private int interest;
    private RequestIntake intake;
    private ReplyQueue queue;
    private ReplyWriter writer;
    private TrimAndZeroes trimAndZeroes;
    private boolean polled;
    private BooleanSupplier completionQueued;
    /** What the selector found: a readable socket may hold more. */
    private final Consumer<SelectionKey> ready = k -> {
        if (k.isReadable()) {
            intake.mayHoldMore();
        }
    };

    // this object's monitor
    private int submitted;
    private boolean reading = true;

    NbdConnection(NbdServer server, SocketChannel ch, int id) {
        this.server = server;
        this.ch = ch;
        this.name = "client " + id;
        this.thread = new Thread(this::run, "jahci-nbd-" + id);
    }

    void start() {
        thread.start();
    }

    private void run() {
        String rejected = null;
        try {
            Handshake.Result h = new Handshake(ch, server, () -> stopping).run();
            if (h != null) {
                enterTransmission(h);
                rejected = transmission();
            }
        } catch (NbdProtocolException e) {
            rejected = e.getMessage();
        } catch (EOFException e) {
            rejected = stopping ? null : e.getMessage() + " (during the handshake)";
        } catch (IOException e) {
            rejected = stopping ? null : "connection failed: " + e;
        } finally {
            finish(rejected);
        }
    }

    private void enterTransmission(Handshake.Result h) throws IOException {
        export = server.export(h.export());
        Disk disk = export.disk();
        int count = Math.min(MAX_CONTEXTS, Math.max(1, disk.queueDepth()));
        int inPlaceBytes = Math.min(NbdRequest.OWN_BUFFER_BYTES, disk.maxTransferBytes());
        contexts = new RequestContexts(this, export, count);
        ch.configureBlocking(false);
        Selector s = Selector.open();
        key = ch.register(s, SelectionKey.OP_READ);
        interest = SelectionKey.OP_READ;
        queue = new ReplyQueue(s, count);
        completionQueued = queue::hasQueued;
        writer = new ReplyWriter(this, ch, h.structuredReplies(), count);
        trimAndZeroes = new TrimAndZeroes(disk, inPlaceBytes);
        intake = new RequestIntake(this, ch, contexts, export, trimAndZeroes, inPlaceBytes);
        polled = disk.completionsPolled();
        selector = s;
        export.join();
        if (stopping) {
            s.wakeup();
        }
    }

    /** The event loop, until reading ended and every context is back; what to log if the client was rejected. */
    private String transmission() throws IOException {
        String rejected = null;
        boolean failed = false;
        while (true) {
            boolean progress = answer();
            if (isReading()) {
                try {
                    progress |= intake.read();
                } catch (NbdProtocolException e) {
                    rejected = e.getMessage();
                    failed = true;
                } catch (EOFException e) {
                    rejected = stopping ? null : e.getMessage();
                    failed = true;
                } catch (IOException e) {
                    rejected = stopping ? null : "connection failed: " + e;
                    failed = true;
                }
                if (failed) {
                    intake.dropCurrent();
                    endReading();
                    writer.breakOff(); // a protocol error ends the session now (proto.md: hard disconnect)
                    closeQuietly();
                }
            }
            if (!isReading() && contexts.allFree()) {
                return rejected;
            }
            if (!progress) {
                waitForWork();
            }
        }
    }

    /**
     * Takes what the queue holds: replies to write, FUA flushes and TRIM/WRITE_ZEROES steps to
     * submit; then writes the replies waiting, all in one gathering write.
     */
    private boolean answer() {
        boolean progress = false;
        NbdRequest r;
        while ((r = queue.poll()) != null) {
            progress = true;
            if (r.flushNext || r.hasNextStep()) {
                submitNext(r);
            } else {
                writer.send(r);
            }
        }
        return writer.writeMore() | progress;
    }

    /**
     * The next command of a TRIM or WRITE_ZEROES; or, after the last command of a request whose FUA
     * the disk did not give ({@link NbdRequest#flushNext}), FLUSH CACHE EXT through the command it
     * holds. Its completion brings the request back. Loop thread.
     */
    private void submitNext(NbdRequest r) {
        try {
            if (r.hasNextStep()) {
                trimAndZeroes.next(r);
            } else {
                r.flushNext = false;
                if (!r.io.holdsCommand()) {
                    r.io.reserve(export.disk().sectorSize()); // a write through the large buffer holds none
                }
                r.io.flush();
            }
        } catch (PortException | RuntimeException e) {
            completed(r, e);
        }
    }

    private void waitForWork() throws IOException {
        int ops = (isReading() && intake.wantsSocket() ? SelectionKey.OP_READ : 0)
                | (writer.blocked() && !writer.broken() ? SelectionKey.OP_WRITE : 0);
        if (ops != interest && key.isValid()) {
            key.interestOps(ops);
            interest = ops;
        }
        if (!polled && !writer.blocked() && inFlight() && queue.sleep(false, false)) {
            try {
                export.disk().awaitCompletions(completionQueued, AWAIT_MICROS, TimeUnit.MICROSECONDS);
            } finally {
                queue.awake();
            }
            if (inFlight()) {
                intake.mayHoldMore();
            }
            if (queue.hasQueued()) {
                return;
            }
        }
        if (queue.sleep(true, writer.blocked())) {
            try {
                selector.select(ready);
            } finally {
                queue.awake();
            }
            if (stopping || !ch.isOpen()) {
                intake.mayHoldMore(); // the end of input, or the closed socket's error, is read as such
            }
        }
    }

    // ---------------------------------------------------------------- requests

    /** A request goes to the disk. Loop thread. */
    synchronized void submitted() {
        submitted++;
    }

    private synchronized boolean inFlight() {
        return submitted > 0;
    }

    /** Queues a request answered without the disk for its reply. Loop thread. */
    void queueReply(NbdRequest r) {
        queue.add(r);
    }

    /**
     * The disk ended a submitted request's command ({@code failure} null on success): records the
     * outcome, gives back a command whose data is not needed, queues the request for the loop.
     * DISPATCH (or the loop, for a submission that failed); never blocks, allocates nothing.
     */
    void completed(NbdRequest r, Throwable failure) {
        if (failure != null) {
            r.failure = failure;
            r.error = NbdProtocol.EIO;
            r.flushNext = false;
        }
        boolean again = r.flushNext || r.hasNextStep();
        if (r.io.holdsCommand() && !again && !r.readInPlace()) {
            r.io.release();
        }
        if (r.readInPlace()) {
            r.replyData = r.io.data().limit(r.length);
        } else if (r.type == NbdProtocol.CMD_READ && r.error == 0) {
            r.replyData = r.large.flip(); // the read left its position at the length, as a channel's does
        }
        if (!again) {
            synchronized (this) {
                submitted--;
                if (submitted == 0) {
                    notifyAll();
                }
            }
        }
        queue.add(r);
    }

    /** Logs why a request is answered EIO. Loop thread. */
    void logFailure(NbdRequest r) {
        server.log(name + " (" + export.info().name() + "): " + r.describe() + " failed, replying EIO: "
                + r.failure.getMessage());
    }

    /** The reply was sent (or dropped), or the request needs none: gives back its command, buffer and context. Loop thread. */
    void replied(NbdRequest r) {
        if (r.io.holdsCommand()) {
            r.io.release();
        }
        contexts.release(r);
    }

    // ---------------------------------------------------------------- end

    boolean stopping() {
        return stopping;
    }

    private synchronized boolean isReading() {
        return reading;
    }

    /** No request is read any more. Loop thread. */
    synchronized void endReading() {
        reading = false;
        notifyAll();
    }

    /**
     * The loop is done (every reply sent or dropped): close, leave the loop's counts
     * ({@link NbdServer#threadEnding()}), tell the server. Loop thread.
     */
    private void finish(String rejected) {
        endReading();
        if (export != null) {
            export.leave();
        }
        closeQuietly();
        Selector s = selector;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // nothing left to do
            }
        }
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
        wakeLoop();
    }

    /**
     * Waits until the loop submits nothing more and the disk completed all it got. A loop still
     * busy after {@code millis} (writing handshake replies a client does not read) is ended by
     * closing the socket; the disk's commands always complete (or time out). PASSIVE.
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

    /** Waits up to {@code millis} for the replies to be sent, then closes the socket and waits for the loop. PASSIVE. */
    void close(long millis) throws InterruptedException {
        RequestContexts c = contexts;
        if (c != null) {
            c.awaitAllFree(millis);
        }
        closeQuietly();
        thread.join();
    }

    /** Closes the socket and wakes the loop, whose writes then fail and drop their replies. Any thread. */
    private void closeQuietly() {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing left to do
        }
        wakeLoop();
    }

    private void wakeLoop() {
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }

    String name() {
        return name;
    }
}
