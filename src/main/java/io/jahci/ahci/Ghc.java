package io.jahci.ahci;

/** Fields of the Global HBA Control register GHC (AHCI 1.3.1 §3.1.2). */
public final class Ghc {
    /** AHCI Enable. */
    public static final BitField AE = new BitField("AE", 31, 1);
    /** MSI Revert to Single Message (read only). */
    public static final BitField MRSM = new BitField("MRSM", 2, 1);
    /** Interrupt Enable. */
    public static final BitField IE = new BitField("IE", 1, 1);
    /** HBA Reset: set to reset, the HBA clears it when the reset is done (§10.4.3). */
    public static final BitField HR = new BitField("HR", 0, 1);

    private static final BitField[] ALL = {AE, MRSM, IE, HR};

    private Ghc() {
    }

    /** All fields of {@code ghc} that are set, for diagnostics (see {@link BitField#describe}). */
    public static String describe(int ghc) {
        return BitField.describe(ghc, ALL);
    }
}
