package io.jahci.ahci;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The SMART self-test log (ACS-3 §A.15, log address 06h, read with SMART READ LOG, B0h feature
 * D5h): a ring of 21 descriptors, the most recent at the 1-based index in byte 508.
 *
 * <pre>
 * bytes 0-1 revision   bytes 2-505 21 descriptors of 24 bytes   byte 508 most recent index (0: empty)
 * byte 511 checksum
 * descriptor: +0 LBA 7:0 of the command (test number)  +1 self-test execution status
 *             +2..3 life timestamp (power-on hours)    +4 checkpoint   +5..8 failing LBA (LE)
 * </pre>
 */
public final class SelfTestLog {
    /** The self-test log's address for SMART READ LOG. */
    public static final int LOG_ADDRESS = 0x06;
    /** Self-test status value: a test is running now. */
    public static final int IN_PROGRESS = 0xF;

    private static final int DESCRIPTORS = 21;
    private static final int FIRST = 2;
    private static final int DESCRIPTOR_BYTES = 24;
    private static final int INDEX = 508;
    private static final BitField STATUS = new BitField("STATUS", 4, 4);
    private static final BitField REMAINING = new BitField("REMAINING", 0, 4);

    /**
     * One self-test: its number (1 = most recent), what ran, how it ended.
     *
     * @param failingLba the first failing LBA, or -1 when the test did not fail on a sector
     */
    public record Entry(int number, int test, int status, int remainingPercent, int lifetimeHours,
                        long failingLba) {
        /** The test in smartctl's words, e.g. {@code "Short offline"}. */
        public String testName() {
            return SelfTestLog.testName(test);
        }

        /** How it ended, in smartctl's words, e.g. {@code "Completed without error"}. */
        public String statusText() {
            return SelfTestLog.statusText(status);
        }
    }

    private SelfTestLog() {
    }

    /** The descriptors, most recent first; unused descriptors (all zero) are left out. */
    public static List<Entry> parse(ByteBuffer buf, int offset) {
        Checks.inRange("offset", offset, 0, buf.limit() - SmartData.SIZE);
        int mostRecent = buf.get(offset + INDEX) & 0xFF;
        List<Entry> entries = new ArrayList<>();
        if (mostRecent == 0 || mostRecent > DESCRIPTORS) {
            return entries;
        }
        for (int k = 0; k < DESCRIPTORS; k++) {
            int index = Math.floorMod(mostRecent - 1 - k, DESCRIPTORS);
            int d = offset + FIRST + index * DESCRIPTOR_BYTES;
            if (empty(buf, d)) {
                continue;
            }
            int status = buf.get(d + 1) & 0xFF;
            int failed = STATUS.get(status);
            long lba = Integer.toUnsignedLong(buf.getInt(d + 5));
            entries.add(new Entry(entries.size() + 1, buf.get(d) & 0xFF, failed, REMAINING.get(status) * 10,
                    (buf.get(d + 2) & 0xFF) | (buf.get(d + 3) & 0xFF) << 8,
                    failed >= 3 && failed <= 8 && lba != 0xFFFF_FFFFL ? lba : -1));
        }
        return entries;
    }

    private static boolean empty(ByteBuffer buf, int descriptor) {
        for (int i = 0; i < DESCRIPTOR_BYTES; i++) {
            if (buf.get(descriptor + i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** A self-test number (LBA 7:0 of SMART EXECUTE OFF-LINE IMMEDIATE) in smartctl's words. */
    static String testName(int test) {
        return switch (test) {
            case 0x00 -> "Offline";
            case 0x01 -> "Short offline";
            case 0x02 -> "Extended offline";
            case 0x03 -> "Conveyance offline";
            case 0x04 -> "Selective offline";
            case 0x7F -> "Abort offline test";
            case 0x81 -> "Short captive";
            case 0x82 -> "Extended captive";
            case 0x83 -> "Conveyance captive";
            case 0x84 -> "Selective captive";
            default -> String.format("Vendor (0x%02x)", test);
        };
    }

    /** Bits 7:4 of a self-test execution status byte in smartctl's words. */
    static String statusText(int status) {
        return switch (status) {
            case 0x0 -> "Completed without error";
            case 0x1 -> "Aborted by host";
            case 0x2 -> "Interrupted (host reset)";
            case 0x3 -> "Fatal or unknown error";
            case 0x4 -> "Completed: unknown failure";
            case 0x5 -> "Completed: electrical failure";
            case 0x6 -> "Completed: servo/seek failure";
            case 0x7 -> "Completed: read failure";
            case 0x8 -> "Completed: handling damage??";
            case IN_PROGRESS -> "Self-test routine in progress";
            default -> String.format("Unknown status (0x%x)", status);
        };
    }
}
