package io.jahci.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * A client's socket in the transmission phase: non-blocking, so that a completion can write its
 * reply at once when the socket takes it ({@link #writeNow}) and never wait at DISPATCH, while the
 * reader and the sender wait on their own selectors when they must ({@link #read},
 * {@link #writeFully}). Reads come from the reader thread only; writes from one writer at a time
 * ({@link ReplySender} decides which). Nothing is allocated per call.
 */
final class NbdSocket implements ReadableByteChannel {
    private static final Consumer<SelectionKey> IGNORE = key -> { };

    private final SocketChannel ch;
    private final Selector readable;
    private final Selector writable;

    /** Switches {@code ch} (after the handshake, before any other thread uses it) to non-blocking mode. */
    NbdSocket(SocketChannel ch) throws IOException {
        this.ch = ch;
        ch.configureBlocking(false);
        this.readable = Selector.open();
        Selector w;
        try {
            w = Selector.open();
            ch.register(readable, SelectionKey.OP_READ);
            ch.register(w, SelectionKey.OP_WRITE);
        } catch (IOException | RuntimeException e) {
            readable.close();
            throw e;
        }
        this.writable = w;
    }

    /**
     * Reads at least one byte, waiting until the client sends some; -1 at the end of the stream.
     * Reader thread (PASSIVE).
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        while (true) {
            int n = ch.read(dst);
            if (n != 0 || !dst.hasRemaining()) {
                return n;
            }
            if (!ch.isOpen()) {
                return -1;
            }
            readable.select(IGNORE);
        }
    }

    /**
     * Writes what the socket takes now, without waiting; true when nothing remains. The buffers'
     * positions record how far it got. The writer of the moment, any level (DISPATCH too).
     */
    boolean writeNow(ByteBuffer[] buffers) throws IOException {
        while (true) {
            long n = ch.write(buffers);
            if (!remaining(buffers)) {
                return true;
            }
            if (n == 0) {
                return false;
            }
        }
    }

    /** Writes everything, waiting while the client does not read. The writer of the moment, PASSIVE. */
    void writeFully(ByteBuffer[] buffers) throws IOException {
        while (!writeNow(buffers)) {
            writable.select(IGNORE);
        }
    }

    private static boolean remaining(ByteBuffer[] buffers) {
        for (ByteBuffer b : buffers) {
            if (b != null && b.hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    /** Ends the reader's and the sender's waits (after a shutdown or close of the channel). Any thread. */
    void wakeUp() {
        readable.wakeup();
        writable.wakeup();
    }

    @Override
    public boolean isOpen() {
        return ch.isOpen();
    }

    /** Closes the selectors; the channel is closed by its owner. */
    @Override
    public void close() throws IOException {
        try {
            readable.close();
        } finally {
            writable.close();
        }
    }
}
