package io.jahci.ahci;

/** Fields of the Host Capabilities register CAP (AHCI 1.3.1 §3.1.1). */
public final class Cap {
    /** Supports 64-bit Addressing. */
    public static final BitField S64A = new BitField("S64A", 31, 1);
    /** Supports Native Command Queuing. */
    public static final BitField SNCQ = new BitField("SNCQ", 30, 1);
    /** Supports SNotification Register. */
    public static final BitField SSNTF = new BitField("SSNTF", 29, 1);
    /** Supports Mechanical Presence Switch. */
    public static final BitField SMPS = new BitField("SMPS", 28, 1);
    /** Supports Staggered Spin-up. */
    public static final BitField SSS = new BitField("SSS", 27, 1);
    /** Supports Aggressive Link Power Management. */
    public static final BitField SALP = new BitField("SALP", 26, 1);
    /** Supports Activity LED. */
    public static final BitField SAL = new BitField("SAL", 25, 1);
    /** Supports Command List Override. */
    public static final BitField SCLO = new BitField("SCLO", 24, 1);
    /** Interface Speed Support: 1 Gen1, 2 Gen2, 3 Gen3. */
    public static final BitField ISS = new BitField("ISS", 20, 4);
    /** Supports AHCI mode only. */
    public static final BitField SAM = new BitField("SAM", 18, 1);
    /** Supports Port Multiplier. */
    public static final BitField SPM = new BitField("SPM", 17, 1);
    /** FIS-based Switching Supported. */
    public static final BitField FBSS = new BitField("FBSS", 16, 1);
    /** PIO Multiple DRQ Block. */
    public static final BitField PMD = new BitField("PMD", 15, 1);
    /** Slumber State Capable. */
    public static final BitField SSC = new BitField("SSC", 14, 1);
    /** Partial State Capable. */
    public static final BitField PSC = new BitField("PSC", 13, 1);
    /** Number of Command Slots, minus one. */
    public static final BitField NCS = new BitField("NCS", 8, 5);
    /** Command Completion Coalescing Supported. */
    public static final BitField CCCS = new BitField("CCCS", 7, 1);
    /** Enclosure Management Supported. */
    public static final BitField EMS = new BitField("EMS", 6, 1);
    /** Supports External SATA. */
    public static final BitField SXS = new BitField("SXS", 5, 1);
    /** Number of Ports, minus one. */
    public static final BitField NP = new BitField("NP", 0, 5);

    private static final BitField[] ALL = {
        S64A, SNCQ, SSNTF, SMPS, SSS, SALP, SAL, SCLO, ISS, SAM, SPM, FBSS, PMD, SSC, PSC, NCS,
        CCCS, EMS, SXS, NP
    };

    private Cap() {
    }

    /** Number of command slots per port, 1..32 (NCS + 1). */
    public static int commandSlots(int cap) {
        return NCS.get(cap) + 1;
    }

    /** Number of ports the HBA supports, 1..32 (NP + 1); {@link HbaRegister#PI} says which exist. */
    public static int ports(int cap) {
        return NP.get(cap) + 1;
    }

    /** All fields of {@code cap} that are set, for diagnostics (see {@link BitField#describe}). */
    public static String describe(int cap) {
        return BitField.describe(cap, ALL);
    }
}
