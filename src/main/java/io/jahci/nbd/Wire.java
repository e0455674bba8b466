package io.jahci.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/** Whole-buffer reads and writes on a blocking channel. */
final class Wire {
    private Wire() {}

    /**
     * Fills {@code buffer} from its position to its limit. An EOFException says how much of
     * {@code what} arrived before the client closed the connection. PASSIVE (blocks).
     */
    static void readFully(ReadableByteChannel ch, ByteBuffer buffer, String what) throws IOException {
        int wanted = buffer.remaining();
        if (!fill(ch, buffer)) {
            throw closedEarly(wanted - buffer.remaining(), wanted, what);
        }
    }

    /**
     * Fills {@code buffer} from its position to its limit; false if the client closed the
     * connection first. Allocates nothing (the hot path's read: its caller words the error). PASSIVE.
     */
    static boolean fill(ReadableByteChannel ch, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (ch.read(buffer) < 0) {
                return false;
            }
        }
        return true;
    }

    /** The error for a connection closed after {@code received} of the {@code wanted} bytes of {@code what}. */
    static EOFException closedEarly(int received, int wanted, String what) {
        return new EOFException("the client closed the connection after " + received + " of the " + wanted
                + " bytes of " + what);
    }

    /** Writes every byte between position and limit. PASSIVE (blocks while the client does not read). */
    static void writeFully(WritableByteChannel ch, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
    }

    /** Reads and drops {@code bytes} bytes through {@code scratch}. PASSIVE. */
    static void skip(ReadableByteChannel ch, long bytes, ByteBuffer scratch, String what) throws IOException {
        long left = bytes;
        while (left > 0) {
            scratch.clear().limit((int) Math.min(scratch.capacity(), left));
            readFully(ch, scratch, what);
            left -= scratch.limit();
        }
    }
}
