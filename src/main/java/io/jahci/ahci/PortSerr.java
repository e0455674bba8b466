package io.jahci.ahci;

/**
 * Fields of the port SATA Error register PxSERR, i.e. SError (AHCI 1.3.1 §3.3.12). All bits are
 * write-1-to-clear. The DIAG_ fields are the diagnostics half (bits 31:16), the ERR_ fields the
 * error half (bits 15:0).
 */
public final class PortSerr {
    /** DIAG.X Exchanged: a COMINIT was received (device attached or replaced). */
    public static final BitField DIAG_X = new BitField("DIAG.X", 26, 1);
    /** DIAG.F Unknown FIS Type. */
    public static final BitField DIAG_F = new BitField("DIAG.F", 25, 1);
    /** DIAG.T Transport state transition error. */
    public static final BitField DIAG_T = new BitField("DIAG.T", 24, 1);
    /** DIAG.S Link Sequence Error. */
    public static final BitField DIAG_S = new BitField("DIAG.S", 23, 1);
    /** DIAG.H Handshake Error. */
    public static final BitField DIAG_H = new BitField("DIAG.H", 22, 1);
    /** DIAG.C CRC Error. */
    public static final BitField DIAG_C = new BitField("DIAG.C", 21, 1);
    /** DIAG.D Disparity Error. */
    public static final BitField DIAG_D = new BitField("DIAG.D", 20, 1);
    /** DIAG.B 10B to 8B Decode Error. */
    public static final BitField DIAG_B = new BitField("DIAG.B", 19, 1);
    /** DIAG.W Comm Wake. */
    public static final BitField DIAG_W = new BitField("DIAG.W", 18, 1);
    /** DIAG.I Phy Internal Error. */
    public static final BitField DIAG_I = new BitField("DIAG.I", 17, 1);
    /** DIAG.N PhyRdy Change. */
    public static final BitField DIAG_N = new BitField("DIAG.N", 16, 1);
    /** ERR.E Internal Error. */
    public static final BitField ERR_E = new BitField("ERR.E", 11, 1);
    /** ERR.P Protocol Error. */
    public static final BitField ERR_P = new BitField("ERR.P", 10, 1);
    /** ERR.C Persistent Communication or Data Integrity Error. */
    public static final BitField ERR_C = new BitField("ERR.C", 9, 1);
    /** ERR.T Transient Data Integrity Error. */
    public static final BitField ERR_T = new BitField("ERR.T", 8, 1);
    /** ERR.M Recovered Communications Error. */
    public static final BitField ERR_M = new BitField("ERR.M", 1, 1);
    /** ERR.I Recovered Data Integrity Error. */
    public static final BitField ERR_I = new BitField("ERR.I", 0, 1);

    private static final BitField[] ALL = {
        DIAG_X, DIAG_F, DIAG_T, DIAG_S, DIAG_H, DIAG_C, DIAG_D, DIAG_B, DIAG_W, DIAG_I, DIAG_N,
        ERR_E, ERR_P, ERR_C, ERR_T, ERR_M, ERR_I
    };

    private PortSerr() {
    }

    /** All fields of {@code serr} that are set, for diagnostics (see {@link BitField#describe}). */
    public static String describe(int serr) {
        return BitField.describe(serr, ALL);
    }
}
