package io.jahci.ahci;

/**
 * Layout of a command table (AHCI 1.3.1 §4.2.3): the command FIS, the ATAPI command and the
 * physical region descriptor table ({@link PrdTable}) of one command slot.
 */
public final class CommandTable {
    /** Command FIS, e.g. a {@link RegisterH2DFis}. */
    public static final int CFIS = 0x00;
    /** Size of the CFIS area. */
    public static final int CFIS_SIZE = 64;
    /** ATAPI command (12 or 16 bytes). */
    public static final int ACMD = 0x40;
    /** Size of the ACMD area. */
    public static final int ACMD_SIZE = 16;
    /** First PRD entry. */
    public static final int PRDT = 0x80;
    /** Required alignment of the table's bus address (CTBA bits 6:0 are reserved, §4.2.2). */
    public static final int ALIGNMENT = 128;
    /** Most PRD entries a command can have (PRDTL is 16 bits wide, §4.2.2). */
    public static final int MAX_PRD_ENTRIES = 65535;

    private CommandTable() {
    }

    /** Size in bytes of a command table with {@code prdEntries} PRD entries. */
    public static int size(int prdEntries) {
        Checks.inRange("prdEntries", prdEntries, 0, MAX_PRD_ENTRIES);
        return PRDT + PrdTable.ENTRY_SIZE * prdEntries;
    }
}
