package io.jahci.ahci;

/**
 * Fields of the port Interrupt Status register PxIS (AHCI 1.3.1 §3.3.5). The Interrupt Enable
 * register PxIE (§3.3.6) has the same layout, each bit enabling the status bit of the same name.
 */
public final class PortIs {
    /** Cold Port Detect Status. */
    public static final BitField CPDS = new BitField("CPDS", 31, 1);
    /** Task File Error Status: the device reported an error in its status. */
    public static final BitField TFES = new BitField("TFES", 30, 1);
    /** Host Bus Fatal Error Status. */
    public static final BitField HBFS = new BitField("HBFS", 29, 1);
    /** Host Bus Data Error Status. */
    public static final BitField HBDS = new BitField("HBDS", 28, 1);
    /** Interface Fatal Error Status. */
    public static final BitField IFS = new BitField("IFS", 27, 1);
    /** Interface Non-fatal Error Status. */
    public static final BitField INFS = new BitField("INFS", 26, 1);
    /** Overflow Status: the device sent more data than the PRDT describes. */
    public static final BitField OFS = new BitField("OFS", 24, 1);
    /** Incorrect Port Multiplier Status. */
    public static final BitField IPMS = new BitField("IPMS", 23, 1);
    /** PhyRdy Change Status (mirrors PxSERR.DIAG.N). */
    public static final BitField PRCS = new BitField("PRCS", 22, 1);
    /** Device Mechanical Presence Status. */
    public static final BitField DMPS = new BitField("DMPS", 7, 1);
    /** Port Connect Change Status (mirrors PxSERR.DIAG.X). */
    public static final BitField PCS = new BitField("PCS", 6, 1);
    /** Descriptor Processed: a PRD with its I bit set has been transferred. */
    public static final BitField DPS = new BitField("DPS", 5, 1);
    /** Unknown FIS Interrupt. */
    public static final BitField UFS = new BitField("UFS", 4, 1);
    /** Set Device Bits Interrupt (NCQ completions). */
    public static final BitField SDBS = new BitField("SDBS", 3, 1);
    /** DMA Setup FIS Interrupt. */
    public static final BitField DSS = new BitField("DSS", 2, 1);
    /** PIO Setup FIS Interrupt. */
    public static final BitField PSS = new BitField("PSS", 1, 1);
    /** Device to Host Register FIS Interrupt. */
    public static final BitField DHRS = new BitField("DHRS", 0, 1);

    /**
     * The error status bits: the fatal ones of {@link #FATAL_MASK} plus the non-fatal INFS, OFS and
     * IPMS (AHCI 1.3.1 §6.1).
     */
    public static final int ERROR_MASK = TFES.mask() | HBFS.mask() | HBDS.mask() | IFS.mask()
            | INFS.mask() | OFS.mask() | IPMS.mask();

    /**
     * The fatal error bits: after any of them the HBA stops processing the port's command list and
     * software must run error recovery, restarting PxCMD.ST (AHCI 1.3.1 §6.1, §6.2.2).
     */
    public static final int FATAL_MASK = TFES.mask() | HBFS.mask() | HBDS.mask() | IFS.mask();

    private static final BitField[] ALL = {
        CPDS, TFES, HBFS, HBDS, IFS, INFS, OFS, IPMS, PRCS, DMPS, PCS, DPS, UFS, SDBS, DSS, PSS, DHRS
    };

    private PortIs() {
    }

    /** All fields of {@code is} that are set, for diagnostics (see {@link BitField#describe}). */
    public static String describe(int is) {
        return BitField.describe(is, ALL);
    }
}
