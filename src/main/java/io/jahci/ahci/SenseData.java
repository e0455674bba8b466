package io.jahci.ahci;

import java.nio.ByteBuffer;

/**
 * Fixed-format sense data (SPC-4 §4.5.3), what REQUEST SENSE returns after a CHECK CONDITION:
 * the sense key (byte 2 bits 3:0), the additional sense code (byte 12) and its qualifier (byte 13),
 * decoded in words for the common conditions of a CD/DVD drive (SPC-4 Annex D, MMC-6).
 */
public record SenseData(int senseKey, int asc, int ascq) {
    /** Sense key NOT READY. */
    public static final int NOT_READY = 0x2;
    /** Sense key UNIT ATTENTION. */
    public static final int UNIT_ATTENTION = 0x6;
    /** ASC MEDIUM NOT PRESENT. */
    public static final int ASC_MEDIUM_NOT_PRESENT = 0x3A;
    /** ASC NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED. */
    public static final int ASC_MEDIUM_MAY_HAVE_CHANGED = 0x28;

    /** Parses the fixed-format sense data at {@code offset} (response code 70h or 71h). */
    public static SenseData parse(ByteBuffer buf, int offset) {
        Checks.inRange("offset", offset, 0, buf.limit() - AtapiCdb.SENSE_LENGTH);
        int response = buf.get(offset) & 0x7F;
        if (response != 0x70 && response != 0x71) {
            throw new IllegalStateException(String.format("REQUEST SENSE returned response code %02Xh, not the "
                    + "fixed format (70h/71h) jahci asked for", response));
        }
        return new SenseData(buf.get(offset + 2) & 0x0F, buf.get(offset + 12) & 0xFF, buf.get(offset + 13) & 0xFF);
    }

    /** The sense key, in the SPC-4 table's words. */
    public String keyName() {
        return switch (senseKey) {
            case 0x0 -> "NO SENSE";
            case 0x1 -> "RECOVERED ERROR";
            case NOT_READY -> "NOT READY";
            case 0x3 -> "MEDIUM ERROR";
            case 0x4 -> "HARDWARE ERROR";
            case 0x5 -> "ILLEGAL REQUEST";
            case UNIT_ATTENTION -> "UNIT ATTENTION";
            case 0x7 -> "DATA PROTECT";
            case 0x8 -> "BLANK CHECK";
            case 0xB -> "ABORTED COMMAND";
            case 0xD -> "VOLUME OVERFLOW";
            case 0xE -> "MISCOMPARE";
            default -> String.format("sense key %Xh", senseKey);
        };
    }

    /** The additional sense code and qualifier in words, or their hex values when not in the table. */
    public String ascText() {
        return switch (asc << 8 | ascq) {
            case 0x0000 -> "no additional sense information";
            case 0x0401 -> "logical unit is in process of becoming ready";
            case 0x1100 -> "unrecovered read error";
            case 0x2000 -> "invalid command operation code";
            case 0x2100 -> "logical block address out of range";
            case 0x2400 -> "invalid field in CDB";
            case 0x2700 -> "write protected";
            case 0x2800 -> "not ready to ready change, medium may have changed";
            case 0x2900 -> "power on, reset, or bus device reset occurred";
            case 0x3000 -> "incompatible medium installed";
            case 0x3A00 -> "medium not present";
            case 0x3A01 -> "medium not present - tray closed";
            case 0x3A02 -> "medium not present - tray open";
            case 0x6400 -> "illegal mode for this track";
            default -> String.format("ASC/ASCQ %02Xh/%02Xh", asc, ascq);
        };
    }

    /** No medium is in the drive (NOT READY, MEDIUM NOT PRESENT). */
    public boolean noMedium() {
        return senseKey == NOT_READY && asc == ASC_MEDIUM_NOT_PRESENT;
    }

    /** The medium changed since the last command (UNIT ATTENTION, 28h). */
    public boolean mediumChanged() {
        return senseKey == UNIT_ATTENTION && asc == ASC_MEDIUM_MAY_HAVE_CHANGED;
    }

    /** E.g. {@code "NOT READY, medium not present - tray closed (sense 2/3Ah/01h)"}. */
    @Override
    public String toString() {
        return String.format("%s, %s (sense %X/%02Xh/%02Xh)", keyName(), ascText(), senseKey, asc, ascq);
    }
}
