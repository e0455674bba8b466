package io.jahci.ahci;

/** Fields of the port SATA Status register PxSSTS, i.e. SStatus (AHCI 1.3.1 §3.3.10). */
public final class PortSsts {
    /** Interface Power Management: 0 no device, 1 active, 2 partial, 6 slumber, 8 DevSleep. */
    public static final BitField IPM = new BitField("IPM", 8, 4);
    /** Current Interface Speed: 0 no device, 1 Gen1, 2 Gen2, 3 Gen3. */
    public static final BitField SPD = new BitField("SPD", 4, 4);
    /** Device Detection, see the DET_ constants. */
    public static final BitField DET = new BitField("DET", 0, 4);

    /** {@link #DET}: no device detected and Phy communication not established. */
    public static final int DET_NONE = 0x0;
    /** {@link #DET}: device presence detected but Phy communication not established. */
    public static final int DET_PRESENT_NO_PHY = 0x1;
    /** {@link #DET}: device presence detected and Phy communication established. */
    public static final int DET_PRESENT_PHY = 0x3;
    /** {@link #DET}: Phy in offline mode (interface disabled or running a BIST loopback). */
    public static final int DET_OFFLINE = 0x4;

    /** {@link #IPM}: the interface is in the active state. */
    public static final int IPM_ACTIVE = 0x1;

    private static final BitField[] ALL = {IPM, SPD, DET};

    private PortSsts() {
    }

    /** The fields of {@code ssts}, for diagnostics (see {@link BitField#describe}). */
    public static String describe(int ssts) {
        return BitField.describe(ssts, ALL);
    }
}
