package io.jahci.nbd;

/**
 * The numbers of the NBD protocol (doc/proto.md of the NetworkBlockDevice/nbd project): magics,
 * handshake and transmission flags, options and their replies, info types, commands, reply chunk
 * types and error values. Every value is sent in network byte order.
 */
public final class NbdProtocol {
    private NbdProtocol() {}

    // ---- handshake (proto.md "Fixed newstyle negotiation")
    /** S: 'NBDMAGIC', the first 8 bytes the server sends. */
    public static final long NBDMAGIC = 0x4e42444d41474943L;
    /** 'IHAVEOPT': sent by the server after NBDMAGIC, and by the client before each option. */
    public static final long IHAVEOPT = 0x49484156454f5054L;
    /** Magic of every option reply. */
    public static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;

    /** Handshake flags (16 bits, server). */
    public static final int FLAG_FIXED_NEWSTYLE = 1;
    public static final int FLAG_NO_ZEROES = 1 << 1;
    /** Client flags (32 bits); any other bit makes the server drop the connection. */
    public static final int FLAG_C_FIXED_NEWSTYLE = 1;
    public static final int FLAG_C_NO_ZEROES = 1 << 1;

    // ---- options ("Option types")
    public static final int OPT_EXPORT_NAME = 1;
    public static final int OPT_ABORT = 2;
    public static final int OPT_LIST = 3;
    public static final int OPT_STARTTLS = 5;
    public static final int OPT_INFO = 6;
    public static final int OPT_GO = 7;
    public static final int OPT_STRUCTURED_REPLY = 8;

    // ---- option reply types ("Option reply types"); errors have bit 31 set
    public static final int REP_ACK = 1;
    public static final int REP_SERVER = 2;
    public static final int REP_INFO = 3;
    public static final int REP_ERR_UNSUP = 0x8000_0001;
    public static final int REP_ERR_INVALID = 0x8000_0003;
    public static final int REP_ERR_UNKNOWN = 0x8000_0006;
    public static final int REP_ERR_SHUTDOWN = 0x8000_0007;

    // ---- info types (NBD_OPT_INFO / NBD_OPT_GO)
    public static final int INFO_EXPORT = 0;
    public static final int INFO_NAME = 1;
    public static final int INFO_DESCRIPTION = 2;
    public static final int INFO_BLOCK_SIZE = 3;

    // ---- transmission flags (16 bits, "Transmission flags")
    public static final int FLAG_HAS_FLAGS = 1;
    public static final int FLAG_READ_ONLY = 1 << 1;
    public static final int FLAG_SEND_FLUSH = 1 << 2;
    public static final int FLAG_SEND_FUA = 1 << 3;
    public static final int FLAG_SEND_TRIM = 1 << 5;
    public static final int FLAG_SEND_WRITE_ZEROES = 1 << 6;
    public static final int FLAG_SEND_DF = 1 << 7;
    public static final int FLAG_CAN_MULTI_CONN = 1 << 8;

    // ---- transmission ("Request message", "Simple reply message", "Structured reply chunk message")
    public static final int REQUEST_MAGIC = 0x25609513;
    public static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    public static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;
    /** Request header: magic 4, flags 2, type 2, handle 8, offset 8, length 4. */
    public static final int REQUEST_BYTES = 28;

    /** Command flags. */
    public static final int CMD_FLAG_FUA = 1;
    public static final int CMD_FLAG_NO_HOLE = 1 << 1;
    public static final int CMD_FLAG_DF = 1 << 2;

    /** Command types. */
    public static final int CMD_READ = 0;
    public static final int CMD_WRITE = 1;
    public static final int CMD_DISC = 2;
    public static final int CMD_FLUSH = 3;
    public static final int CMD_TRIM = 4;
    public static final int CMD_WRITE_ZEROES = 6;

    /** Structured reply flags and chunk types. */
    public static final int REPLY_FLAG_DONE = 1;
    public static final int REPLY_TYPE_OFFSET_DATA = 1;
    public static final int REPLY_TYPE_ERROR_OFFSET = 0x8002;

    // ---- error values ("Error values"): the Linux errno numbers, whatever the server's platform.
    // Not sent by this server: ENOMEM, EOVERFLOW (a READ reply is never fragmented, so NBD_CMD_FLAG_DF
    // always holds), ENOTSUP (no fast zero).
    public static final int EPERM = 1;
    public static final int EIO = 5;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int ESHUTDOWN = 108;

    /** Strings (export names, descriptions) MUST be no longer than this ("Conventions"). */
    public static final int MAX_STRING_BYTES = 4096;

    /** The name of command {@code type} for log lines. */
    public static String commandName(int type) {
        return switch (type) {
            case CMD_READ -> "READ";
            case CMD_WRITE -> "WRITE";
            case CMD_DISC -> "DISC";
            case CMD_FLUSH -> "FLUSH";
            case CMD_TRIM -> "TRIM";
            case 5 -> "CACHE";
            case CMD_WRITE_ZEROES -> "WRITE_ZEROES";
            case 7 -> "BLOCK_STATUS";
            default -> "command " + type;
        };
    }

    /** The name of option {@code option} for log lines. */
    public static String optionName(int option) {
        return switch (option) {
            case OPT_EXPORT_NAME -> "EXPORT_NAME";
            case OPT_ABORT -> "ABORT";
            case OPT_LIST -> "LIST";
            case OPT_STARTTLS -> "STARTTLS";
            case OPT_INFO -> "INFO";
            case OPT_GO -> "GO";
            case OPT_STRUCTURED_REPLY -> "STRUCTURED_REPLY";
            default -> "option " + option;
        };
    }
}
