package io.jahci.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;

import static io.jahci.nbd.NbdProtocol.*;

/**
 * A connection's sender thread (PASSIVE) and the requests waiting for it: it writes each reply in
 * the order the disk completed them (proto.md allows any order), then gives the context back. The
 * queue is a fixed ring under this object's monitor, filled at DISPATCH by completions and at
 * PASSIVE by the reader; nothing is allocated per reply.
 *
 * <pre>
 *  sender:  IDLE --a reply queued--> SENDING --ring empty--> IDLE
 *  a READ completed in place:  sender IDLE, ring empty --> queued as it is (the reply is written from the command's buffer)
 *                              otherwise               --> copied out, its command given back, then queued
 * </pre>
 *
 * So a client that stops reading its replies pins at most the one command whose reply is being
 * written. (Writing the reply on the completing thread itself, with the socket non-blocking, saves
 * the hand-off to this thread but was measured slower in the guest harness under TCG: each idle
 * read became read, epoll_wait, read; see docs/nbd.md.)
 */
final class ReplySender {
    private final NbdConnection connection;
    private final GatheringByteChannel ch;
    private final boolean structured;
    private final Thread thread;
    private final NbdRequest end;
    private final ByteBuffer[] gather = new ByteBuffer[2];

    // this object's monitor
    private final NbdRequest[] ring;
    private int head;
    private int count;
    private boolean sending;

    /** Sender thread only: the socket failed, replies are dropped. */
    private boolean broken;

    /** @param contexts the most requests that can wait at once (every context and the end marker fit) */
    ReplySender(NbdConnection connection, GatheringByteChannel ch, boolean structured, int contexts, String threadName) {
        this.connection = connection;
        this.ch = ch;
        this.structured = structured;
        this.ring = new NbdRequest[contexts + 1];
        this.end = new NbdRequest(connection, null);
        this.thread = new Thread(this::run, threadName);
    }

    void start() {
        thread.start();
    }

    /**
     * Queues a request for its reply (copying an in-place READ's data out first unless the sender
     * is idle). DISPATCH or PASSIVE; never blocks (the ring holds every context and the end
     * marker) and allocates nothing.
     */
    synchronized void add(NbdRequest r) {
        if (r != end && r.readInPlace() && (sending || count > 0)) {
            r.copyOut();
        }
        ring[(head + count) % ring.length] = r;
        count++;
        if (count == 1 && !sending) {
            notify();
        }
    }

    /** Queues the end marker and waits for the sender to finish what is queued before it. PASSIVE. */
    void finish() throws InterruptedException {
        add(end);
        thread.join();
    }

    private synchronized NbdRequest take() throws InterruptedException {
        sending = false;
        while (count == 0) {
            wait();
        }
        NbdRequest r = ring[head];
        ring[head] = null;
        head = (head + 1) % ring.length;
        count--;
        sending = true;
        return r;
    }

    private void run() {
        try {
            serve();
        } finally {
            connection.senderEnding();
        }
    }

    private void serve() {
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
                connection.flushAfterWrite(r);
                continue;
            }
            if (r.failure != null) {
                connection.logFailure(r);
            }
            if (!broken) {
                try {
                    send(r);
                } catch (IOException e) {
                    broken = true;
                    connection.stop();
                }
            }
            connection.replied(r);
        }
    }

    /** Writes one reply: simple, or a structured chunk for READ when negotiated. Sender thread. */
    private void send(NbdRequest r) throws IOException {
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
            gather[1] = r.replyData;
            while (r.replyData.hasRemaining()) {
                ch.write(gather);
            }
        } else {
            Wire.writeFully(ch, h);
        }
    }
}
