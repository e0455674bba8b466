package io.jahci.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;

import static io.jahci.nbd.NbdProtocol.*;

/**
 * Writes a connection's replies on its non-blocking socket, in the order the loop hands them over
 * (the order the disk completed them; proto.md allows any order): header and data in one gathering
 * write, the rest of a reply the socket did not take written when it becomes writable again, the
 * replies behind it waiting in a fixed ring. A reply that must wait has its in-place data copied
 * out first ({@link NbdRequest#copyOut()}). Once the socket failed, replies are dropped. Loop
 * thread only; nothing is allocated per reply.
 */
final class ReplyWriter {
    private final NbdConnection connection;
    private final GatheringByteChannel ch;
    private final boolean structured;
    private final ByteBuffer[] gather = new ByteBuffer[2];
    private final NbdRequest[] waiting;
    private int head;
    private int count;
    /** The reply being written, or null. */
    private NbdRequest current;
    private boolean broken;

    /** @param capacity the most replies that can wait at once (every context) */
    ReplyWriter(NbdConnection connection, GatheringByteChannel ch, boolean structured, int capacity) {
        this.connection = connection;
        this.ch = ch;
        this.structured = structured;
        this.waiting = new NbdRequest[capacity];
    }

    /** Whether replies wait for the socket to take them. */
    boolean blocked() {
        return current != null;
    }

    /** Whether the socket failed (replies are dropped since). */
    boolean broken() {
        return broken;
    }

    /** Drops every reply from now on (the connection ends without them). */
    void breakOff() {
        broken = true;
    }

    /** Writes the request's reply now, or queues it behind the one being written. */
    void send(NbdRequest r) {
        if (current != null) {
            if (r.readInPlace()) {
                r.copyOut();
            }
            waiting[(head + count) % waiting.length] = r;
            count++;
            return;
        }
        start(r);
        writeMore();
    }

    /** Writes what the socket takes of the waiting replies; true if a whole reply went out. */
    boolean writeMore() {
        boolean done = false;
        while (current != null) {
            if (!broken) {
                try {
                    write();
                } catch (IOException e) {
                    broken = true;
                    connection.stop();
                }
            }
            if (!broken && (current.replyHeader.hasRemaining() || (gather[1] != null && gather[1].hasRemaining()))) {
                return done;
            }
            connection.replied(current);
            done = true;
            current = null;
            if (count > 0) {
                NbdRequest next = waiting[head];
                waiting[head] = null;
                head = (head + 1) % waiting.length;
                count--;
                start(next);
            }
        }
        return done;
    }

    /** Encodes the reply: simple, or a structured chunk for READ when negotiated. */
    private void start(NbdRequest r) {
        current = r;
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
        gather[0] = h;
        gather[1] = read && r.error == 0 ? r.replyData : null;
    }

    private void write() throws IOException {
        if (gather[1] == null) {
            while (gather[0].hasRemaining() && ch.write(gather[0]) > 0) {
                // the socket takes more
            }
        } else {
            while (gather[1].hasRemaining() && ch.write(gather) > 0) {
                // the socket takes more
            }
        }
    }
}
