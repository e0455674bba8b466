package io.jahci.ahci;

/** Fields of the port Command and Status register PxCMD (AHCI 1.3.1 §3.3.7). */
public final class PortCmd {
    /** Interface Communication Control: requests a link power state, see the ICC_ constants. */
    public static final BitField ICC = new BitField("ICC", 28, 4);
    /** Aggressive Slumber / Partial. */
    public static final BitField ASP = new BitField("ASP", 27, 1);
    /** Aggressive Link Power Management Enable. */
    public static final BitField ALPE = new BitField("ALPE", 26, 1);
    /** Drive LED on ATAPI Enable. */
    public static final BitField DLAE = new BitField("DLAE", 25, 1);
    /** Device is ATAPI. */
    public static final BitField ATAPI = new BitField("ATAPI", 24, 1);
    /** Automatic Partial to Slumber Transitions Enabled. */
    public static final BitField APSTE = new BitField("APSTE", 23, 1);
    /** FIS-based Switching Capable Port. */
    public static final BitField FBSCP = new BitField("FBSCP", 22, 1);
    /** External SATA Port. */
    public static final BitField ESP = new BitField("ESP", 21, 1);
    /** Cold Presence Detection. */
    public static final BitField CPD = new BitField("CPD", 20, 1);
    /** Mechanical Presence Switch attached to Port. */
    public static final BitField MPSP = new BitField("MPSP", 19, 1);
    /** Hot Plug Capable Port. */
    public static final BitField HPCP = new BitField("HPCP", 18, 1);
    /** Port Multiplier Attached. */
    public static final BitField PMA = new BitField("PMA", 17, 1);
    /** Cold Presence State. */
    public static final BitField CPS = new BitField("CPS", 16, 1);
    /** Command List Running (read only). */
    public static final BitField CR = new BitField("CR", 15, 1);
    /** FIS Receive Running (read only). */
    public static final BitField FR = new BitField("FR", 14, 1);
    /** Mechanical Presence Switch State. */
    public static final BitField MPSS = new BitField("MPSS", 13, 1);
    /** Current Command Slot (valid while ST is set). */
    public static final BitField CCS = new BitField("CCS", 8, 5);
    /** FIS Receive Enable. */
    public static final BitField FRE = new BitField("FRE", 4, 1);
    /** Command List Override: clears BSY and DRQ in PxTFD.STS (requires {@link Cap#SCLO}). */
    public static final BitField CLO = new BitField("CLO", 3, 1);
    /** Power On Device (requires {@link #CPD}). */
    public static final BitField POD = new BitField("POD", 2, 1);
    /** Spin-Up Device (requires {@link Cap#SSS}). */
    public static final BitField SUD = new BitField("SUD", 1, 1);
    /** Start: the HBA may process the command list. */
    public static final BitField ST = new BitField("ST", 0, 1);

    /** {@link #ICC} value: no operation / idle. */
    public static final int ICC_IDLE = 0x0;
    /** {@link #ICC} value: move the link to the active state. */
    public static final int ICC_ACTIVE = 0x1;
    /** {@link #ICC} value: move the link to the partial state. */
    public static final int ICC_PARTIAL = 0x2;
    /** {@link #ICC} value: move the link to the slumber state. */
    public static final int ICC_SLUMBER = 0x6;
    /** {@link #ICC} value: move the link to the DevSleep state. */
    public static final int ICC_DEVSLEEP = 0x8;

    private static final BitField[] ALL = {
        ICC, ASP, ALPE, DLAE, ATAPI, APSTE, FBSCP, ESP, CPD, MPSP, HPCP, PMA, CPS, CR, FR, MPSS, CCS,
        FRE, CLO, POD, SUD, ST
    };

    private PortCmd() {
    }

    /** All fields of {@code cmd} that are set, for diagnostics (see {@link BitField#describe}). */
    public static String describe(int cmd) {
        return BitField.describe(cmd, ALL);
    }
}
