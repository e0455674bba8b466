package io.jahci.ahci;

/** Fields of the BIOS/OS Handoff Control and Status register BOHC (AHCI 1.3.1 §3.1.11, §10.6). */
public final class Bohc {
    /** BIOS Busy. */
    public static final BitField BB = new BitField("BB", 4, 1);
    /** OS Ownership Change (write 1 to clear). */
    public static final BitField OOC = new BitField("OOC", 3, 1);
    /** SMI on OS Ownership Change Enable. */
    public static final BitField SOOE = new BitField("SOOE", 2, 1);
    /** OS Owned Semaphore. */
    public static final BitField OOS = new BitField("OOS", 1, 1);
    /** BIOS Owned Semaphore. */
    public static final BitField BOS = new BitField("BOS", 0, 1);

    private static final BitField[] ALL = {BB, OOC, SOOE, OOS, BOS};

    private Bohc() {
    }

    /** All fields of {@code bohc} that are set, for diagnostics (see {@link BitField#describe}). */
    public static String describe(int bohc) {
        return BitField.describe(bohc, ALL);
    }
}
