package io.jahci.ahci;

/** Fields of the port SATA Control register PxSCTL, i.e. SControl (AHCI 1.3.1 §3.3.11). */
public final class PortSctl {
    /** Interface Power Management Transitions Allowed (bit 0 partial, 1 slumber, 2 DevSleep disabled). */
    public static final BitField IPM = new BitField("IPM", 8, 4);
    /** Speed Allowed: 0 no restriction, 1 up to Gen1, 2 up to Gen2, 3 up to Gen3. */
    public static final BitField SPD = new BitField("SPD", 4, 4);
    /** Device Detection Initialization, see the DET_ constants. */
    public static final BitField DET = new BitField("DET", 0, 4);

    /** {@link #DET}: no device detection or initialization action requested. */
    public static final int DET_NO_ACTION = 0x0;
    /** {@link #DET}: perform interface communication initialization (COMRESET) (§10.4.2). */
    public static final int DET_COMRESET = 0x1;
    /** {@link #DET}: disable the SATA interface and put the Phy offline. */
    public static final int DET_DISABLE = 0x4;

    private static final BitField[] ALL = {IPM, SPD, DET};

    private PortSctl() {
    }

    /** The fields of {@code sctl}, for diagnostics (see {@link BitField#describe}). */
    public static String describe(int sctl) {
        return BitField.describe(sctl, ALL);
    }
}
