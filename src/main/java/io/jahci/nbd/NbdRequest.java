package io.jahci.nbd;

import io.jahci.disk.Disk;
import io.jahci.disk.DiskRequest;
import io.jahci.fault.PortException;

import java.nio.ByteBuffer;

import static io.jahci.nbd.NbdProtocol.*;

/**
 * One request context of a connection, preallocated and reused: the decoded request (proto.md
 * "Request message"), its {@link DiskRequest}, its reply header, where the reply's data is, and
 * the outcome. Nothing here is allocated per request.
 *
 * <p>A READ or WRITE of at most {@link NbdConnection#inPlaceBytes} moves <em>in place</em>: the
 * context reserves one of the port's commands, the client's payload is read straight into that
 * command's DMA buffer, a READ's reply is written straight from it, no copy. Larger requests go
 * through the connection's large buffer, copied by the port. A READ whose reply must queue behind
 * others is copied into the context's own buffer, so its command goes back to the port at once: a
 * client that does not read its replies holds at most the one command whose reply is being
 * written ({@link ReplyQueue}). TRIM and WRITE_ZEROES run as a sequence of commands through one
 * reserved command ({@link TrimAndZeroes}), the next submitted by the loop after each completion.
 *
 * <p>Owned by one thread at a time: the connection's loop fills and submits it, the completion
 * (DISPATCH) records the outcome and queues it for the loop, which replies and frees it.
 */
final class NbdRequest implements DiskRequest.Completion {
    /** The context's own buffer: the most a queued READ reply is copied into, and a refused payload's scratch. */
    static final int OWN_BUFFER_BYTES = 256 << 10;

    private final NbdConnection connection;
    /** Null for the connection's end marker. */
    final DiskRequest io;
    /** The reply header: the longest is the structured ERROR_OFFSET chunk (20 + 14 bytes). */
    final ByteBuffer replyHeader = ByteBuffer.allocateDirect(40);
    private ByteBuffer own;
    /** Null, or the connection's large buffer while this request holds it. */
    ByteBuffer large;

    int flags;
    int type;
    long handle;
    long offset;
    int length;
    /** A successful READ's reply data between position and limit: the reserved command's buffer, own or large. */
    ByteBuffer replyData;
    /**
     * FUA the disk does not give the request's commands: a write that asked for it on a disk without
     * it, or a TRIM or WRITE_ZEROES that asked for it. The loop flushes (after the last step) before
     * it replies.
     */
    boolean flushNext;
    /** TRIM or WRITE_ZEROES: the next sector to trim or zero, and the sectors left. */
    long stepLba;
    long stepSectors;
    /** 0, or the NBD error value to reply. */
    int error;
    /** The device's failure behind an EIO, for the server's log (written by the loop). */
    Throwable failure;

    NbdRequest(NbdConnection connection, Disk disk) {
        this.connection = connection;
        this.io = disk == null ? null : disk.newRequest(this);
    }

    /** Reads a request header at the buffer's position; false when the magic is wrong. */
    boolean decode(ByteBuffer header) {
        if (header.getInt() != REQUEST_MAGIC) {
            return false;
        }
        flags = header.getShort() & 0xffff;
        type = header.getShort() & 0xffff;
        handle = header.getLong();
        offset = header.getLong();
        length = header.getInt();
        replyData = null;
        flushNext = false;
        stepSectors = 0;
        error = 0;
        failure = null;
        return true;
    }

    /** The request's length as an unsigned number. */
    long unsignedLength() {
        return length & 0xffff_ffffL;
    }

    /**
     * This context's own direct buffer, limited to {@code bytes} (at most {@link #OWN_BUFFER_BYTES});
     * allocated at its first use, reused afterwards. Loop thread, or DISPATCH once the loop
     * made it ({@link #ensureOwnBuffer}).
     */
    ByteBuffer ownBuffer(int bytes) {
        ensureOwnBuffer();
        return own.clear().limit(bytes);
    }

    /** Makes the own buffer before an in-place READ is submitted, so its completion never allocates. Loop thread. */
    void ensureOwnBuffer() {
        if (own == null) {
            own = ByteBuffer.allocateDirect(OWN_BUFFER_BYTES);
        }
    }

    /** Whether a TRIM or WRITE_ZEROES has a command left to submit ({@link TrimAndZeroes#next}). */
    boolean hasNextStep() {
        return error == 0 && stepSectors > 0;
    }

    /** Whether a successful READ's data is still in its reserved command's buffer. */
    boolean readInPlace() {
        return type == CMD_READ && error == 0 && io.holdsCommand();
    }

    /** Copies an in-place READ's data into the own buffer and gives the command back. DISPATCH or the loop. */
    void copyOut() {
        ByteBuffer to = ownBuffer(length);
        to.put(io.data().limit(length));
        replyData = to.flip();
        io.release();
    }

    /** The disk ended this request's read, write or flush. DISPATCH: records, hands over. */
    @Override
    public void completed(DiskRequest request, PortException e) {
        connection.completed(this, e);
    }

    /** "READ offset 4096 length 512" for log lines. */
    String describe() {
        return commandName(type) + " offset " + offset + " length " + unsignedLength();
    }
}
