package io.jahci.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;

import static io.jahci.nbd.NbdProtocol.*;

/**
 * Writes a connection's replies on its non-blocking socket, in the order the loop hands them over
 * (the order the disk completed them; proto.md allows any order). The loop hands over what it
 * found queued ({@link #send}), then writes every reply waiting, headers and data, in one gathering
 * write ({@link #writeMore}); what the socket did not take is written when it becomes writable
 * again. A reply that must wait behind one the socket did not take has its in-place data copied out
 * first ({@link NbdRequest#copyOut()}), so only the reply being written holds a command. Once the
 * socket failed, replies are dropped. Loop thread only; nothing is allocated per reply.
 */
final class ReplyWriter {
    private final NbdConnection connection;
    private final GatheringByteChannel ch;
    private final boolean structured;
    /** The waiting replies, oldest first, in a fixed ring. */
    private final NbdRequest[] waiting;
    /** Header and data of every waiting reply, for one gathering write. */
    private final ByteBuffer[] gather;
    private int head;
    private int count;
    private boolean broken;

    /** @param capacity the most replies that can wait at once (every context) */
    ReplyWriter(NbdConnection connection, GatheringByteChannel ch, boolean structured, int capacity) {
        this.connection = connection;
        this.ch = ch;
        this.structured = structured;
        this.waiting = new NbdRequest[capacity];
        this.gather = new ByteBuffer[2 * capacity];
    }

    /** Whether replies wait for the socket to take them. */
    boolean blocked() {
        return count > 0;
    }

    /** Whether the socket failed (replies are dropped since). */
    boolean broken() {
        return broken;
    }

    /** Drops every reply from now on (the connection ends without them). */
    void breakOff() {
        broken = true;
    }

    /** Encodes the request's reply and queues it behind the waiting ones; {@link #writeMore} writes it. */
    void send(NbdRequest r) {
        encode(r);
        waiting[(head + count) % waiting.length] = r;
        count++;
    }

    /**
     * Writes what the socket takes of the waiting replies, all in one gathering write; true if a
     * whole reply went out (or was dropped).
     */
    boolean writeMore() {
        if (count == 0) {
            return false;
        }
        if (!broken) {
            try {
                ch.write(gather, 0, gatherWaiting());
            } catch (IOException e) {
                broken = true;
                connection.stop();
            }
        }
        boolean done = false;
        while (count > 0 && (broken || written(waiting[head]))) {
            NbdRequest r = waiting[head];
            waiting[head] = null;
            head = (head + 1) % waiting.length;
            count--;
            connection.replied(r);
            done = true;
        }
        for (int i = 1; i < count; i++) { // behind the one being written: nothing of them went out
            NbdRequest r = waiting[(head + i) % waiting.length];
            if (r.readInPlace()) {
                r.copyOut();
            }
        }
        return done;
    }

    /** Fills {@link #gather} with the waiting replies' headers and data; how many buffers. */
    private int gatherWaiting() {
        int n = 0;
        for (int i = 0; i < count; i++) {
            NbdRequest r = waiting[(head + i) % waiting.length];
            gather[n++] = r.replyHeader;
            ByteBuffer data = data(r);
            if (data != null) {
                gather[n++] = data;
            }
        }
        return n;
    }

    private static boolean written(NbdRequest r) {
        ByteBuffer data = data(r);
        return !r.replyHeader.hasRemaining() && (data == null || !data.hasRemaining());
    }

    /** The reply's data: a successful READ's. */
    private static ByteBuffer data(NbdRequest r) {
        return r.type == CMD_READ && r.error == 0 ? r.replyData : null;
    }

    /** Encodes the reply header: simple, or a structured chunk for READ when negotiated. */
    private void encode(NbdRequest r) {
        if (r.failure != null) {
            connection.logFailure(r);
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
    }
}
