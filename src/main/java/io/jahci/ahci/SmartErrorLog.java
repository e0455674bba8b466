package io.jahci.ahci;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The Summary SMART Error log (ACS-3 §A.21, log address 01h, read with SMART READ LOG): the device's
 * count of errors and its five most recent, each the error as the device reported it (its task-file
 * registers) and the power-on hours when it happened.
 *
 * <pre>
 * byte 0 version   byte 1 index of the most recent error data structure (1..5, 0: none)
 * bytes 2-451      5 error log data structures of 90 bytes:
 *                    +0..59 the 5 commands before the error (12 bytes each)
 *                    +60 error data structure: +61 ERROR  +62 COUNT  +63..65 LBA 7:0, 15:8, 23:16
 *                    +66 DEVICE (LBA 27:24 in bits 3:0)  +67 STATUS  +87 state  +88..89 life timestamp (hours)
 * bytes 452-453    device error count (LE)   byte 511 checksum
 * </pre>
 *
 * Pure function; {@link #parse} copies what it needs.
 *
 * @param errorCount the device's count of errors since it was made (it wraps at 65,535), logged or not
 * @param errors     the logged errors, most recent first (at most 5)
 */
public record SmartErrorLog(int errorCount, List<Entry> errors) {
    /** The error log's address for SMART READ LOG. */
    public static final int LOG_ADDRESS = 0x01;

    private static final int STRUCTURES = 5;
    private static final int FIRST = 2;
    private static final int STRUCTURE_BYTES = 90;
    private static final int ERROR_DATA = 60;
    private static final int COUNT = 452;

    /**
     * One logged error.
     *
     * @param number        1 = the most recent
     * @param error         the ERROR register (bit 2 ABRT, bit 4 IDNF, bit 6 UNC, ...)
     * @param status        the STATUS register
     * @param count         the COUNT register
     * @param lba           the 28-bit LBA the registers name
     * @param state         the device's state when it happened (bits 3:0: 0 unknown, 1 sleep, 2 standby,
     *                      3 active or idle, 4 executing an off-line or self-test routine)
     * @param lifetimeHours power-on hours when it happened
     */
    public record Entry(int number, int error, int status, int count, long lba, int state, int lifetimeHours) {}

    /** The log in {@code buf} at {@code offset} (512 bytes). */
    public static SmartErrorLog parse(ByteBuffer buf, int offset) {
        Checks.inRange("offset", offset, 0, buf.limit() - SmartData.SIZE);
        int mostRecent = buf.get(offset + 1) & 0xFF;
        int errorCount = (buf.get(offset + COUNT) & 0xFF) | (buf.get(offset + COUNT + 1) & 0xFF) << 8;
        List<Entry> errors = new ArrayList<>();
        if (mostRecent >= 1 && mostRecent <= STRUCTURES) {
            for (int k = 0; k < STRUCTURES; k++) {
                int index = Math.floorMod(mostRecent - 1 - k, STRUCTURES);
                int e = offset + FIRST + index * STRUCTURE_BYTES + ERROR_DATA;
                if (empty(buf, e)) {
                    continue;
                }
                long lba = (buf.get(e + 3) & 0xFFL) | (buf.get(e + 4) & 0xFFL) << 8 | (buf.get(e + 5) & 0xFFL) << 16
                        | (buf.get(e + 6) & 0x0FL) << 24;
                errors.add(new Entry(errors.size() + 1, buf.get(e + 1) & 0xFF, buf.get(e + 7) & 0xFF,
                        buf.get(e + 2) & 0xFF, lba, buf.get(e + 27) & 0x0F,
                        (buf.get(e + 28) & 0xFF) | (buf.get(e + 29) & 0xFF) << 8));
            }
        }
        return new SmartErrorLog(errorCount, List.copyOf(errors));
    }

    private static boolean empty(ByteBuffer buf, int errorData) {
        for (int i = 0; i < STRUCTURE_BYTES - ERROR_DATA; i++) {
            if (buf.get(errorData + i) != 0) {
                return false;
            }
        }
        return true;
    }
}
