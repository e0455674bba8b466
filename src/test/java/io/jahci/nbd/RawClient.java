package io.jahci.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

import static io.jahci.nbd.NbdProtocol.*;

/**
 * A test's hand-written NBD client on a raw socket: it can send exactly what a bad client would.
 * Blocking; one thread.
 */
final class RawClient implements AutoCloseable {
    final SocketChannel ch;
    long size;
    int transmissionFlags;

    /** One reply as received: the handle, the error, and READ data (null when none). */
    record Reply(long handle, int error, byte[] data) {}

    RawClient(Path socket) throws IOException {
        ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
    }

    static RawClient connect(Path socket) throws IOException {
        return new RawClient(socket);
    }

    /** Reads the greeting and sends the client flags; returns the handshake flags. */
    int greet(int clientFlags) throws IOException {
        ByteBuffer g = read(18);
        if (g.getLong(0) != NBDMAGIC || g.getLong(8) != IHAVEOPT) {
            throw new IOException("not an NBD fixed newstyle server");
        }
        write(ByteBuffer.allocate(4).putInt(clientFlags).flip());
        return g.getShort(16) & 0xffff;
    }

    void sendOption(int option, ByteBuffer data) throws IOException {
        write(ByteBuffer.allocate(16).putLong(IHAVEOPT).putInt(option).putInt(data.remaining()).flip());
        write(data);
    }

    /** One option reply: {type, data}. */
    OptionReply readOptionReply() throws IOException {
        ByteBuffer h = read(20);
        if (h.getLong(0) != OPTION_REPLY_MAGIC) {
            throw new IOException(String.format("option reply magic 0x%x", h.getLong(0)));
        }
        int length = h.getInt(16);
        ByteBuffer data = read(length);
        return new OptionReply(h.getInt(8), h.getInt(12), data);
    }

    record OptionReply(int option, int type, ByteBuffer data) {}

    /** GO data: name, then the info requests. */
    static ByteBuffer goData(String name, int... infos) {
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + n.length + 2 + 2 * infos.length).putInt(n.length).put(n)
                .putShort((short) infos.length);
        for (int i : infos) {
            b.putShort((short) i);
        }
        return b.flip();
    }

    /** A complete, well-behaved handshake: fixed newstyle, optionally structured replies, GO. */
    RawClient open(String export, boolean structured) throws IOException {
        greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
        if (structured) {
            sendOption(OPT_STRUCTURED_REPLY, ByteBuffer.allocate(0));
            expectType(readOptionReply(), REP_ACK);
        }
        sendOption(OPT_GO, goData(export));
        while (true) {
            OptionReply r = readOptionReply();
            if (r.type() == REP_ACK) {
                return this;
            }
            expectType(r, REP_INFO);
            if (r.data().getShort(0) == INFO_EXPORT) {
                size = r.data().getLong(2);
                transmissionFlags = r.data().getShort(10) & 0xffff;
            }
        }
    }

    private static void expectType(OptionReply r, int type) throws IOException {
        if (r.type() != type) {
            throw new IOException(String.format("option %d: reply type 0x%x, expected 0x%x", r.option(), r.type(), type));
        }
    }

    void request(int flags, int type, long handle, long offset, int length) throws IOException {
        write(ByteBuffer.allocate(REQUEST_BYTES).putInt(REQUEST_MAGIC).putShort((short) flags).putShort((short) type)
                .putLong(handle).putLong(offset).putInt(length).flip());
    }

    void write(long handle, long offset, byte[] data, int flags) throws IOException {
        request(flags, CMD_WRITE, handle, offset, data.length);
        write(ByteBuffer.wrap(data));
    }

    /**
     * One reply. A simple reply to a READ carries {@code readLength} bytes when its error is 0
     * (the client has to know); structured chunks are read until the DONE flag.
     */
    Reply reply(int readLength) throws IOException {
        ByteBuffer magic = read(4);
        int m = magic.getInt(0);
        if (m == SIMPLE_REPLY_MAGIC) {
            ByteBuffer h = read(12);
            int error = h.getInt(0);
            long handle = h.getLong(4);
            byte[] data = null;
            if (error == 0 && readLength > 0) {
                data = new byte[readLength];
                read(readLength).get(data);
            }
            return new Reply(handle, error, data);
        }
        if (m != STRUCTURED_REPLY_MAGIC) {
            throw new IOException(String.format("reply magic 0x%08x", m));
        }
        ByteBuffer h = read(16);
        int flags = h.getShort(0) & 0xffff;
        int type = h.getShort(2) & 0xffff;
        long handle = h.getLong(4);
        int length = h.getInt(12);
        ByteBuffer payload = read(length);
        if ((flags & REPLY_FLAG_DONE) == 0) {
            throw new IOException("the server fragmented a reply (no DONE flag on chunk type " + type + ")");
        }
        return switch (type) {
            case REPLY_TYPE_OFFSET_DATA -> {
                byte[] data = new byte[length - 8];
                payload.position(8).get(data);
                yield new Reply(handle, 0, data);
            }
            case REPLY_TYPE_ERROR_OFFSET -> new Reply(handle, payload.getInt(0), null);
            default -> throw new IOException("unexpected chunk type " + type);
        };
    }

    /** True when the server closed the connection (read returns end of stream). */
    boolean closedByServer() throws IOException {
        try {
            return ch.read(ByteBuffer.allocate(1)) < 0;
        } catch (IOException e) {
            return true; // reset
        }
    }

    ByteBuffer read(int bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(bytes);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException("the server closed the connection");
            }
        }
        return b.flip();
    }

    void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
