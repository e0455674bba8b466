package io.jahci.ahci;

/** Fields of the Host Capabilities Extended register CAP2 (AHCI 1.3.1 §3.1.10). */
public final class Cap2 {
    /** DevSleep Entrance from Slumber Only. */
    public static final BitField DESO = new BitField("DESO", 5, 1);
    /** Supports Aggressive Device Sleep Management. */
    public static final BitField SADM = new BitField("SADM", 4, 1);
    /** Supports Device Sleep. */
    public static final BitField SDS = new BitField("SDS", 3, 1);
    /** Automatic Partial to Slumber Transitions. */
    public static final BitField APST = new BitField("APST", 2, 1);
    /** NVMHCI Present. */
    public static final BitField NVMP = new BitField("NVMP", 1, 1);
    /** BIOS/OS Handoff supported, see {@link Bohc}. */
    public static final BitField BOH = new BitField("BOH", 0, 1);

    private static final BitField[] ALL = {DESO, SADM, SDS, APST, NVMP, BOH};

    private Cap2() {
    }

    /** All fields of {@code cap2} that are set, for diagnostics (see {@link BitField#describe}). */
    public static String describe(int cap2) {
        return BitField.describe(cap2, ALL);
    }
}
