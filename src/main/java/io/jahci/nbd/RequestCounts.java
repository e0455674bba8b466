package io.jahci.nbd;

import io.jahci.platform.Json;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

import static io.jahci.nbd.NbdProtocol.*;

/**
 * NBD requests read from clients, by type (proto.md "Request types"): every request the server
 * answers, refused ones included; {@code other} is a type the server does not offer (CACHE,
 * BLOCK_STATUS, unknown). NBD_CMD_DISC, which gets no reply, is not counted. A value; any thread.
 */
public record RequestCounts(long read, long write, long flush, long trim, long writeZeroes, long other) {
    /** No request. */
    public static final RequestCounts ZERO = new RequestCounts(0, 0, 0, 0, 0, 0);

    /** The JSON keys, in the order of the components. */
    private static final List<String> KEYS = List.of("read", "write", "flush", "trim", "writeZeroes", "other");

    /** Every request counted. */
    public long total() {
        return read + write + flush + trim + writeZeroes + other;
    }

    /** The requests counted since {@code earlier}. */
    public RequestCounts since(RequestCounts earlier) {
        return new RequestCounts(read - earlier.read, write - earlier.write, flush - earlier.flush, trim - earlier.trim,
                writeZeroes - earlier.writeZeroes, other - earlier.other);
    }

    /** {@code {"read","write","flush","trim","writeZeroes","other"}}. */
    public Map<String, Object> toJson() {
        long[] values = {read, write, flush, trim, writeZeroes, other};
        Map<String, Object> json = Json.object();
        for (int i = 0; i < values.length; i++) {
            json.put(KEYS.get(i), values[i]);
        }
        return json;
    }

    /**
     * One connection's count, written by its loop thread alone as it reads each request (no lock,
     * no allocation: one ordered store) and read by any thread.
     */
    static final class Counter {
        private final AtomicLongArray counts = new AtomicLongArray(KEYS.size());

        /** A request of {@code type} was read. The loop thread (PASSIVE); allocates nothing. */
        void count(int type) {
            if (type != CMD_DISC) {
                int i = slot(type);
                counts.lazySet(i, counts.get(i) + 1);
            }
        }

        /** This counter's requests added to {@code sum}. Any thread. */
        RequestCounts addTo(RequestCounts sum) {
            return new RequestCounts(sum.read + counts.get(0), sum.write + counts.get(1), sum.flush + counts.get(2),
                    sum.trim + counts.get(3), sum.writeZeroes + counts.get(4), sum.other + counts.get(5));
        }

        private static int slot(int type) {
            return switch (type) {
                case CMD_READ -> 0;
                case CMD_WRITE -> 1;
                case CMD_FLUSH -> 2;
                case CMD_TRIM -> 3;
                case CMD_WRITE_ZEROES -> 4;
                default -> 5;
            };
        }
    }
}
