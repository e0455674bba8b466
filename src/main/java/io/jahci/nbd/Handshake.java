package io.jahci.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BooleanSupplier;

import static io.jahci.nbd.NbdProtocol.*;

/**
 * The server's side of the fixed newstyle handshake (proto.md "Fixed newstyle negotiation",
 * "Option types", "Option reply types"), on the connection's thread before its loop starts (PASSIVE, no lock).
 *
 * <pre>
 *  S: NBDMAGIC IHAVEOPT handshake-flags          C: client-flags
 *  loop:  C: IHAVEOPT option length data
 *         STRUCTURED_REPLY -> ACK                  LIST -> SERVER.. ACK
 *         INFO -> INFO.. ACK (or ERR_UNKNOWN)      other -> ERR_UNSUP
 *         ABORT -> ACK, end (no export)
 *         GO -> INFO.. ACK, transmission  (or ERR_UNKNOWN, loop)
 *         EXPORT_NAME -> size flags [zeroes], transmission  (unknown name: hard disconnect)
 * </pre>
 *
 * Allocation is fine here: a handshake happens once per connection.
 */
public final class Handshake {
    /** The exports a client may choose, by name ("" is the default export). */
    public interface Exports {
        /** The export called {@code name}, or null. */
        ExportInfo find(String name);

        /** The names NBD_OPT_LIST returns. */
        List<String> names();
    }

    /** What the handshake agreed on: the export and whether read replies are structured. */
    public record Result(ExportInfo export, boolean structuredReplies) {}

    /** The longest option data accepted: an INFO/GO with a maximal name and every info type. */
    static final int MAX_OPTION_BYTES = 4 + MAX_STRING_BYTES + 2 + 2 * 64;

    private final ByteChannel ch;
    private final Exports exports;
    private final BooleanSupplier shuttingDown;
    private boolean noZeroes;
    private boolean structured;

    public Handshake(ByteChannel ch, Exports exports, BooleanSupplier shuttingDown) {
        this.ch = ch;
        this.exports = exports;
        this.shuttingDown = shuttingDown;
    }

    /**
     * Runs the handshake. Returns the chosen export, or null when the client ended it with
     * NBD_OPT_ABORT. Throws NbdProtocolException when the client broke the protocol, and an
     * IOException (EOFException when it hung up) when the connection failed. PASSIVE.
     */
    public Result run() throws IOException, NbdProtocolException {
        ByteBuffer greeting = ByteBuffer.allocate(18).putLong(NBDMAGIC).putLong(IHAVEOPT)
                .putShort((short) (FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES)).flip();
        Wire.writeFully(ch, greeting);
        ByteBuffer clientFlags = ByteBuffer.allocate(4);
        Wire.readFully(ch, clientFlags, "the client flags");
        int flags = clientFlags.getInt(0);
        if ((flags & ~(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES)) != 0) {
            throw new NbdProtocolException(String.format("client flags 0x%08x set bits the server did not offer "
                    + "(only FIXED_NEWSTYLE 0x1 and NO_ZEROES 0x2 are defined)", flags));
        }
        noZeroes = (flags & FLAG_C_NO_ZEROES) != 0;
        while (true) {
            ByteBuffer header = ByteBuffer.allocate(16);
            Wire.readFully(ch, header, "an option header");
            long magic = header.getLong(0);
            int option = header.getInt(8);
            long length = header.getInt(12) & 0xffff_ffffL;
            if (magic != IHAVEOPT) {
                throw new NbdProtocolException(String.format("option magic 0x%016x is not IHAVEOPT (0x%016x)", magic,
                        IHAVEOPT));
            }
            if (length > MAX_OPTION_BYTES) {
                throw new NbdProtocolException(optionName(option) + " carries " + length + " bytes of data; no option "
                        + "this server knows needs more than " + MAX_OPTION_BYTES);
            }
            ByteBuffer data = ByteBuffer.allocate((int) length);
            Wire.readFully(ch, data, optionName(option) + "'s data");
            data.flip();
            Result result = option(option, data);
            if (result != null) {
                return result;
            }
            if (option == OPT_ABORT) {
                return null;
            }
        }
    }

    /** One option: replies to it; returns non-null when it enters transmission. */
    private Result option(int option, ByteBuffer data) throws IOException, NbdProtocolException {
        if (shuttingDown.getAsBoolean() && option != OPT_ABORT) {
            error(option, REP_ERR_SHUTDOWN, "the server is shutting down");
            return null;
        }
        switch (option) {
            case OPT_EXPORT_NAME -> {
                String name = string(data, data.remaining(), "EXPORT_NAME's name");
                ExportInfo export = exports.find(name);
                if (export == null) {
                    // The option cannot fail: the session ends (proto.md, NBD_OPT_EXPORT_NAME).
                    throw new NbdProtocolException("EXPORT_NAME asked for export '" + name
                            + "', which does not exist; exports: " + exports.names());
                }
                ByteBuffer out = ByteBuffer.allocate(10 + (noZeroes ? 0 : 124)).putLong(export.size())
                        .putShort((short) export.flags(structured));
                Wire.writeFully(ch, out.position(out.capacity()).flip());
                return new Result(export, structured);
            }
            case OPT_ABORT -> {
                try {
                    ack(option);
                } catch (IOException e) {
                    // The client may hang up without waiting for the ACK (proto.md, NBD_OPT_ABORT).
                }
                return null;
            }
            case OPT_LIST -> {
                if (data.hasRemaining()) {
                    error(option, REP_ERR_INVALID, "LIST takes no data");
                    return null;
                }
                for (String name : exports.names()) {
                    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
                    reply(option, REP_SERVER, ByteBuffer.allocate(4 + bytes.length).putInt(bytes.length).put(bytes).flip());
                }
                ack(option);
                return null;
            }
            case OPT_STRUCTURED_REPLY -> {
                if (data.hasRemaining()) {
                    error(option, REP_ERR_INVALID, "STRUCTURED_REPLY takes no data");
                } else {
                    structured = true;
                    ack(option);
                }
                return null;
            }
            case OPT_INFO, OPT_GO -> {
                return info(option, data);
            }
            default -> {
                error(option, REP_ERR_UNSUP, optionName(option) + " is not supported by this server");
                return null;
            }
        }
    }

    /** NBD_OPT_INFO and NBD_OPT_GO: name length, name, count of info requests, the requests. */
    private Result info(int option, ByteBuffer data) throws IOException, NbdProtocolException {
        if (data.remaining() < 6) {
            error(option, REP_ERR_INVALID, optionName(option) + " needs at least 6 bytes of data");
            return null;
        }
        int nameLength = data.getInt();
        if (nameLength < 0 || nameLength > data.remaining() - 2) {
            error(option, REP_ERR_INVALID, optionName(option) + "'s name length " + nameLength + " does not fit its data");
            return null;
        }
        String name = string(data, nameLength, optionName(option) + "'s name");
        int requests = data.getShort() & 0xffff;
        if (data.remaining() != 2 * requests) {
            error(option, REP_ERR_INVALID, optionName(option) + " announces " + requests + " info requests but carries "
                    + data.remaining() + " bytes for them");
            return null;
        }
        ExportInfo export = exports.find(name);
        if (export == null) {
            error(option, REP_ERR_UNKNOWN, "no export '" + name + "'; exports: " + exports.names());
            return null;
        }
        boolean sendName = false;
        boolean sendDescription = false;
        for (int i = 0; i < requests; i++) {
            int type = data.getShort() & 0xffff;
            sendName |= type == INFO_NAME;
            sendDescription |= type == INFO_DESCRIPTION;
        }
        reply(option, REP_INFO, ByteBuffer.allocate(12).putShort((short) INFO_EXPORT).putLong(export.size())
                .putShort((short) export.flags(structured)).flip());
        if (sendName) {
            reply(option, REP_INFO, infoString(INFO_NAME, export.name()));
        }
        if (sendDescription) {
            reply(option, REP_INFO, infoString(INFO_DESCRIPTION, export.description()));
        }
        // Always sent: the server rejects requests that do not respect the minimum.
        reply(option, REP_INFO, ByteBuffer.allocate(14).putShort((short) INFO_BLOCK_SIZE).putInt(export.minimumBlock())
                .putInt(export.preferredBlock()).putInt(export.maximumBlock()).flip());
        ack(option);
        return option == OPT_GO ? new Result(export, structured) : null;
    }

    private static ByteBuffer infoString(int type, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + bytes.length).putShort((short) type).put(bytes).flip();
    }

    private static String string(ByteBuffer data, int length, String what) throws NbdProtocolException {
        if (length > MAX_STRING_BYTES) {
            throw new NbdProtocolException(what + " is " + length + " bytes long; strings are at most "
                    + MAX_STRING_BYTES + " bytes");
        }
        ByteBuffer slice = data.slice(data.position(), length);
        data.position(data.position() + length);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new NbdProtocolException(what + " is not UTF-8");
        }
    }

    /** One option reply: magic, option, type, length, data. */
    private void reply(int option, int type, ByteBuffer data) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(20).putLong(OPTION_REPLY_MAGIC).putInt(option).putInt(type)
                .putInt(data.remaining()).flip();
        Wire.writeFully(ch, header);
        Wire.writeFully(ch, data);
    }

    private void ack(int option) throws IOException {
        reply(option, REP_ACK, ByteBuffer.allocate(0));
    }

    /** An error reply; its data is a message for the client's user (proto.md: "a string"). */
    private void error(int option, int type, String message) throws IOException {
        reply(option, type, ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
    }
}
