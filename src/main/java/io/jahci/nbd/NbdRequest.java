package io.jahci.nbd;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

import static io.jahci.nbd.NbdProtocol.*;

/**
 * One request context of a connection, preallocated and reused: the decoded request (proto.md
 * "Request message"), its data buffer, its reply header, and the outcome. Also the callback the
 * disk's future completes (at DISPATCH, on a port worker): it only records the outcome and hands
 * the context to the connection's sender; it never blocks and never writes to the socket.
 *
 * <p>Owned by one thread at a time: the reader fills it and submits it, the completion hands it
 * over, the sender replies and frees it.
 */
final class NbdRequest implements BiConsumer<Void, Throwable> {
    /** Small requests use the context's own buffer of this size; larger ones the connection's large buffer. */
    static final int OWN_BUFFER_BYTES = 256 << 10;

    private final NbdConnection connection;
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
    /** The request's data between position and limit (READ: filled by the disk; WRITE: from the client). */
    ByteBuffer data;
    /** 0, or the NBD error value to reply. */
    int error;
    /** The device's failure behind an EIO, for the server's log (written by the sender). */
    Throwable failure;

    NbdRequest(NbdConnection connection) {
        this.connection = connection;
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
        data = null;
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
     * allocated at its first use, reused afterwards. Reader thread.
     */
    ByteBuffer ownBuffer(int bytes) {
        if (own == null) {
            own = ByteBuffer.allocateDirect(OWN_BUFFER_BYTES);
        }
        return own.clear().limit(bytes);
    }

    /** The disk completed this request's command(s). DISPATCH: records the outcome, hands over. */
    @Override
    public void accept(Void ignored, Throwable t) {
        if (t != null) {
            failure = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
            error = EIO;
        }
        connection.completed(this);
    }

    /** "READ offset 4096 length 512" for log lines. */
    String describe() {
        return commandName(type) + " offset " + offset + " length " + unsignedLength();
    }
}
