package io.jahci.ahci;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The 512-byte data of SMART READ DATA (ACS-3 §7.49.6, command B0h feature D0h) with the thresholds
 * of SMART READ THRESHOLDS (feature D1h). ACS-3 makes bytes 0-361 vendor specific; every drive and
 * QEMU use the de-facto layout that smartctl decodes:
 *
 * <pre>
 * READ DATA                                      READ THRESHOLDS
 * bytes 0-1     revision                         bytes 0-1     revision
 * bytes 2-361   30 attribute entries of 12 bytes bytes 2-361   30 entries of 12 bytes:
 *   +0 ID (0 = unused)  +1..2 flags (LE)           +0 ID  +1 threshold  +2..11 reserved
 *   +3 value  +4 worst  +5..10 raw (LE, 48 bits)
 *   +11 reserved
 * byte 362      off-line data collection status
 * byte 363      self-test execution status (bits 7:4 status, 3:0 tenths remaining)
 * byte 367      off-line data collection capability (bit 4: SMART self-test implemented)
 * bytes 368-369 SMART capability
 * byte 370      error logging capability (bit 0: SMART error logging)
 * byte 372/373  short / extended self-test polling time, minutes
 * byte 511      checksum: all 512 bytes add up to 0 (mod 256)   byte 511 checksum
 * </pre>
 *
 * {@link #parse} copies what it needs; the buffers can be reused afterwards. Pure functions.
 */
public final class SmartData {
    /** Size of the READ DATA and READ THRESHOLDS data. */
    public static final int SIZE = 512;
    /** Entries in the attribute table. */
    public static final int ENTRIES = 30;

    private static final int TABLE = 2;
    private static final int ENTRY_BYTES = 12;
    private static final int OFFLINE_STATUS = 362;
    private static final int SELF_TEST_STATUS = 363;
    private static final int OFFLINE_CAPABILITY = 367;
    private static final int ERROR_LOGGING_CAPABILITY = 370;
    private static final int SHORT_TEST_MINUTES = 372;
    private static final int EXTENDED_TEST_MINUTES = 373;
    private static final int CHECKSUM = 511;
    private static final int RAW_BYTES = 6;

    private static final BitField SELF_TEST_IMPLEMENTED = new BitField("SELF_TEST", 4, 1);
    private static final BitField ERROR_LOGGING = new BitField("ERROR_LOGGING", 0, 1);
    private static final BitField SELF_TEST_STATE = new BitField("STATUS", 4, 4);
    private static final BitField SELF_TEST_REMAINING = new BitField("REMAINING", 0, 4);

    private final int revision;
    private final List<SmartAttribute> attributes;
    private final int offlineStatus;
    private final int selfTestStatus;
    private final int offlineCapability;
    private final int errorLoggingCapability;
    private final int shortTestMinutes;
    private final int extendedTestMinutes;
    private final boolean dataChecksumValid;
    private final boolean thresholdsChecksumValid;

    private SmartData(ByteBuffer data, int dataOffset, ByteBuffer thresholds, int thresholdsOffset) {
        this.revision = u8(data, dataOffset) | u8(data, dataOffset + 1) << 8;
        this.attributes = attributes(data, dataOffset, thresholds, thresholdsOffset);
        this.offlineStatus = u8(data, dataOffset + OFFLINE_STATUS);
        this.selfTestStatus = u8(data, dataOffset + SELF_TEST_STATUS);
        this.offlineCapability = u8(data, dataOffset + OFFLINE_CAPABILITY);
        this.errorLoggingCapability = u8(data, dataOffset + ERROR_LOGGING_CAPABILITY);
        this.shortTestMinutes = u8(data, dataOffset + SHORT_TEST_MINUTES);
        this.extendedTestMinutes = u8(data, dataOffset + EXTENDED_TEST_MINUTES);
        this.dataChecksumValid = checksumValid(data, dataOffset);
        this.thresholdsChecksumValid = checksumValid(thresholds, thresholdsOffset);
    }

    /** Decodes READ DATA at {@code dataOffset} with READ THRESHOLDS at {@code thresholdsOffset}. */
    public static SmartData parse(ByteBuffer data, int dataOffset, ByteBuffer thresholds, int thresholdsOffset) {
        Checks.inRange("data offset", dataOffset, 0, data.limit() - SIZE);
        Checks.inRange("thresholds offset", thresholdsOffset, 0, thresholds.limit() - SIZE);
        return new SmartData(data, dataOffset, thresholds, thresholdsOffset);
    }

    /** Whether the 512 bytes at {@code offset} add up to 0 modulo 256, as every SMART data structure must. */
    public static boolean checksumValid(ByteBuffer buf, int offset) {
        int sum = 0;
        for (int i = 0; i < SIZE; i++) {
            sum += buf.get(offset + i);
        }
        return (sum & 0xFF) == 0;
    }

    private static List<SmartAttribute> attributes(ByteBuffer data, int dataOffset, ByteBuffer thresholds,
            int thresholdsOffset) {
        List<SmartAttribute> out = new ArrayList<>();
        for (int i = 0; i < ENTRIES; i++) {
            int entry = dataOffset + TABLE + i * ENTRY_BYTES;
            int id = u8(data, entry);
            if (id == 0) {
                continue;
            }
            long raw = 0;
            for (int b = RAW_BYTES - 1; b >= 0; b--) {
                raw = raw << 8 | u8(data, entry + 5 + b);
            }
            out.add(new SmartAttribute(id, u8(data, entry + 1) | u8(data, entry + 2) << 8, u8(data, entry + 3),
                    u8(data, entry + 4), raw, threshold(thresholds, thresholdsOffset, id)));
        }
        return List.copyOf(out);
    }

    /** The threshold of attribute {@code id}: the entry with the same ID (drives keep the same order, but need not). */
    private static int threshold(ByteBuffer thresholds, int offset, int id) {
        for (int i = 0; i < ENTRIES; i++) {
            int entry = offset + TABLE + i * ENTRY_BYTES;
            if (u8(thresholds, entry) == id) {
                return u8(thresholds, entry + 1);
            }
        }
        return 0;
    }

    private static int u8(ByteBuffer buf, int offset) {
        return buf.get(offset) & 0xFF;
    }

    /** The data structure revision, bytes 0-1. */
    public int revision() {
        return revision;
    }

    /** The attributes in table order, unused (ID 0) entries left out. */
    public List<SmartAttribute> attributes() {
        return attributes;
    }

    /** Attributes whose value is at or below their non-zero threshold now. */
    public List<SmartAttribute> failing() {
        return attributes.stream().filter(SmartAttribute::failing).toList();
    }

    /** Byte 362, off-line data collection status. */
    public int offlineStatus() {
        return offlineStatus;
    }

    /** Byte 363, self-test execution status. */
    public int selfTestStatus() {
        return selfTestStatus;
    }

    /** The self-test execution status in words (bits 7:4 of byte 363, ACS-3 table of self-test status values). */
    public String selfTestStatusText() {
        String text = SelfTestLog.statusText(SELF_TEST_STATE.get(selfTestStatus));
        if (SELF_TEST_STATE.get(selfTestStatus) == SelfTestLog.IN_PROGRESS) {
            text += ", " + SELF_TEST_REMAINING.get(selfTestStatus) * 10 + "% remaining";
        }
        return text;
    }

    /** Byte 367 bit 4: the device implements SMART self-tests, and so keeps the self-test log (log 06h). */
    public boolean selfTestSupported() {
        return SELF_TEST_IMPLEMENTED.isSet(offlineCapability);
    }

    /** Byte 370 bit 0: the device keeps the SMART error log. */
    public boolean errorLoggingSupported() {
        return ERROR_LOGGING.isSet(errorLoggingCapability);
    }

    /** Byte 372: recommended polling time of a short self-test, minutes. */
    public int shortTestMinutes() {
        return shortTestMinutes;
    }

    /** Byte 373: recommended polling time of an extended self-test, minutes. */
    public int extendedTestMinutes() {
        return extendedTestMinutes;
    }

    /** The READ DATA bytes add up to 0 modulo 256. */
    public boolean dataChecksumValid() {
        return dataChecksumValid;
    }

    /** The READ THRESHOLDS bytes add up to 0 modulo 256. */
    public boolean thresholdsChecksumValid() {
        return thresholdsChecksumValid;
    }
}
