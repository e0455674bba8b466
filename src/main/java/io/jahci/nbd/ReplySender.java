package io.jahci.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;

import static io.jahci.nbd.NbdProtocol.*;

/**
 * Writes a connection's replies, in the order the disk completes them (proto.md allows any
 * order), one writer at a time: the completing thread itself when nothing else is being written
 * ({@link #completed}: the reply goes out at DISPATCH without a thread hand-off, if the socket takes
 * it without waiting), else the sender thread (PASSIVE), which takes requests from a fixed ring
 * under this object's monitor. Nothing is allocated per reply.
 *
 * <pre>
 *  writer:  IDLE --completion, ring empty--> INLINE (DISPATCH) --all written--> IDLE
 *                                            INLINE --socket full--> SENDER (finishes that reply)
 *           IDLE --ring not empty--> SENDER --ring empty--> IDLE
 * </pre>
 *
 * A READ reply is written straight from its reserved command's DMA buffer when it is written at
 * once; a READ that would wait in the ring is copied out first ({@link NbdRequest#copyOut}), so a
 * client that stops reading pins at most the one command whose reply is being written.
 */
final class ReplySender {
    private final NbdConnection connection;
    private final NbdSocket socket;
    private final boolean structured;
    private final Thread thread;
    private final NbdRequest end;

    // this object's monitor
    private final NbdRequest[] ring;
    private int head;
    private int count;
    /** Someone (the sender thread or a completion) is writing a reply. */
    private boolean writing;

    /** The socket failed: replies are dropped. Written by the writer of the moment. */
    private volatile boolean broken;

    /** @param contexts the most requests that can wait at once (every context and the end marker fit) */
    ReplySender(NbdConnection connection, NbdSocket socket, boolean structured, int contexts, String threadName) {
        this.connection = connection;
        this.socket = socket;
        this.structured = structured;
        this.ring = new NbdRequest[contexts + 1];
        this.end = new NbdRequest(connection, null);
        this.thread = new Thread(this::run, threadName);
    }

    void start() {
        thread.start();
    }

    /**
     * A request's reply is due: written here and now when no other reply is being written or
     * waiting, the socket takes it whole and nothing is left for the sender to do first (a log
     * line, a FLUSH); else queued for the sender. DISPATCH (a completion) or PASSIVE (the reader);
     * never blocks, allocates nothing.
     */
    void completed(NbdRequest r) {
        if (r.failure != null || r.flushNext || !claimIdleWriter()) {
            add(r);
            return;
        }
        if (!writeNow(r)) {
            handOver(r); // the socket is full: the sender finishes this reply
            return;
        }
        connection.replied(r);
        releaseWriter();
    }

    /** Queues the end marker and waits for the sender to finish what is queued before it. PASSIVE. */
    void finish() throws InterruptedException {
        add(end);
        thread.join();
    }

    private synchronized boolean claimIdleWriter() {
        if (writing || count > 0) {
            return false;
        }
        writing = true;
        return true;
    }

    private synchronized void releaseWriter() {
        writing = false;
        if (count > 0) {
            notify();
        }
    }

    /** Queues {@code r} at the ring's tail (copying an in-place READ's data out). Never blocks. */
    private synchronized void add(NbdRequest r) {
        if (r != end && r.readInPlace()) {
            r.copyOut();
        }
        ring[(head + count) % ring.length] = r;
        count++;
        if (!writing) {
            notify();
        }
    }

    /** Puts a partly written reply at the ring's head for the sender and gives up writing. */
    private synchronized void handOver(NbdRequest r) {
        head = (head + ring.length - 1) % ring.length;
        ring[head] = r;
        count++;
        writing = false;
        notify();
    }

    private synchronized NbdRequest take() throws InterruptedException {
        while (count == 0 || writing) {
            wait();
        }
        NbdRequest r = ring[head];
        ring[head] = null;
        head = (head + 1) % ring.length;
        count--;
        writing = true;
        return r;
    }

    private void run() {
        while (true) {
            NbdRequest r;
            try {
                r = take();
            } catch (InterruptedException e) {
                return;
            }
            if (r == end) {
                return;
            }
            if (r.flushNext) {
                releaseWriter();
                connection.flushAfterWrite(r);
                continue;
            }
            if (r.failure != null) {
                connection.logFailure(r);
            }
            if (!broken) {
                try {
                    prepare(r);
                    socket.writeFully(r.reply);
                } catch (IOException e) {
                    fail();
                }
            }
            connection.replied(r);
            releaseWriter();
        }
    }

    /** Writes what the socket takes now; true when the reply is out (or dropped on a broken socket). */
    private boolean writeNow(NbdRequest r) {
        if (broken) {
            return true;
        }
        try {
            prepare(r);
            return socket.writeNow(r.reply);
        } catch (IOException e) {
            fail();
            return true;
        }
    }

    private void fail() {
        broken = true;
        connection.stop();
    }

    /**
     * Encodes the reply header once per reply (simple, or a structured chunk for READ when
     * negotiated) and points {@link NbdRequest#reply} at it and the READ data. The writer.
     */
    private void prepare(NbdRequest r) {
        if (r.reply != null) {
            return; // partly written: go on from where the positions stand
        }
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
            r.withData[0] = h;
            r.withData[1] = r.replyData;
            r.reply = r.withData;
        } else {
            r.headerOnly[0] = h;
            r.reply = r.headerOnly;
        }
    }
}
