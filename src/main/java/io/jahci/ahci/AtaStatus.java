package io.jahci.ahci;

/**
 * Fields of the ATA STATUS (ACS-3 §6.2) and ERROR (ACS-3 §6.3) registers, as found in
 * {@link PortTfd} and in received D2H FISes, and their decoding for diagnostics. Bits that ACS-3
 * marks obsolete keep their ATA/ATAPI-7 names, since older devices still set them.
 */
public final class AtaStatus {
    /** STATUS BSY: busy. */
    public static final BitField BSY = new BitField("BSY", 7, 1);
    /** STATUS DRDY: device ready. */
    public static final BitField DRDY = new BitField("DRDY", 6, 1);
    /** STATUS DF: device fault. */
    public static final BitField DF = new BitField("DF", 5, 1);
    /** STATUS DSC: device seek complete (obsolete). */
    public static final BitField DSC = new BitField("DSC", 4, 1);
    /** STATUS DRQ: data request. */
    public static final BitField DRQ = new BitField("DRQ", 3, 1);
    /** STATUS CORR: corrected data (obsolete). */
    public static final BitField CORR = new BitField("CORR", 2, 1);
    /** STATUS IDX: index (obsolete). */
    public static final BitField IDX = new BitField("IDX", 1, 1);
    /** STATUS ERR: the ERROR register is valid. */
    public static final BitField ERR = new BitField("ERR", 0, 1);

    /** ERROR ICRC: interface CRC error. */
    public static final BitField ICRC = new BitField("ICRC", 7, 1);
    /** ERROR UNC: uncorrectable data error. */
    public static final BitField UNC = new BitField("UNC", 6, 1);
    /** ERROR MC: media changed (obsolete). */
    public static final BitField MC = new BitField("MC", 5, 1);
    /** ERROR IDNF: ID (address) not found. */
    public static final BitField IDNF = new BitField("IDNF", 4, 1);
    /** ERROR MCR: media change request (obsolete). */
    public static final BitField MCR = new BitField("MCR", 3, 1);
    /** ERROR ABRT: command aborted. */
    public static final BitField ABRT = new BitField("ABRT", 2, 1);
    /** ERROR NM: no media / end of media. */
    public static final BitField NM = new BitField("NM", 1, 1);
    /** ERROR AMNF: address mark not found (obsolete) / illegal length indicator. */
    public static final BitField AMNF = new BitField("AMNF", 0, 1);

    private static final BitField[] STATUS_FIELDS = {BSY, DRDY, DF, DSC, DRQ, CORR, IDX, ERR};
    private static final BitField[] ERROR_FIELDS = {ICRC, UNC, MC, IDNF, MCR, ABRT, NM, AMNF};

    private AtaStatus() {
    }

    /** {@code status} as hex plus its set bits, e.g. {@code "0x51 (DRDY DSC ERR)"}, or {@code "0x00"}. */
    public static String describe(int status) {
        return format(status, STATUS_FIELDS);
    }

    /** {@code error} as hex plus its set bits, e.g. {@code "0x04 (ABRT)"}. */
    public static String describeError(int error) {
        return format(error, ERROR_FIELDS);
    }

    private static String format(int value, BitField[] fields) {
        String hex = String.format("0x%02X", value);
        String bits = BitField.describe(value, fields);
        return bits.isEmpty() ? hex : hex + " (" + bits + ")";
    }
}
