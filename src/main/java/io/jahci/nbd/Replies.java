package io.jahci.nbd;

import java.nio.ByteBuffer;

import static io.jahci.nbd.NbdProtocol.*;

/**
 * Encoders of the transmission phase's reply headers (proto.md "Simple reply message",
 * "Structured reply chunk message"). Each writes at the buffer's position, advances it, and
 * allocates nothing. Any thread.
 */
public final class Replies {
    private Replies() {}

    /** Simple reply: magic, error, handle; READ data (when error is 0) follows it. */
    public static void simple(ByteBuffer out, int error, long handle) {
        out.putInt(SIMPLE_REPLY_MAGIC).putInt(error).putLong(handle);
    }

    /** The one and final chunk of a structured READ reply: NBD_REPLY_TYPE_OFFSET_DATA; the data follows it. */
    public static void offsetData(ByteBuffer out, long handle, long offset, int dataBytes) {
        chunkHeader(out, REPLY_TYPE_OFFSET_DATA, handle, 8 + dataBytes);
        out.putLong(offset);
    }

    /**
     * A structured READ reply that failed: NBD_REPLY_TYPE_ERROR_OFFSET, final, with an empty
     * message; {@code offset} (within the request) is where the failure starts.
     */
    public static void errorOffset(ByteBuffer out, long handle, int error, long offset) {
        chunkHeader(out, REPLY_TYPE_ERROR_OFFSET, handle, 4 + 2 + 8);
        out.putInt(error).putShort((short) 0).putLong(offset);
    }

    private static void chunkHeader(ByteBuffer out, int type, long handle, int length) {
        out.putInt(STRUCTURED_REPLY_MAGIC).putShort((short) REPLY_FLAG_DONE).putShort((short) type).putLong(handle)
                .putInt(length);
    }
}
