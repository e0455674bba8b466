package io.jahci.ahci;

/** The generic host control registers at the start of ABAR (AHCI 1.3.1 §3.1). */
public enum HbaRegister {
    /** Host Capabilities, see {@link Cap} (§3.1.1). */
    CAP(0x00),
    /** Global HBA Control, see {@link Ghc} (§3.1.2). */
    GHC(0x04),
    /** Interrupt Status: one pending bit per port (§3.1.3). */
    IS(0x08),
    /** Ports Implemented: one bit per port (§3.1.4). */
    PI(0x0C),
    /** AHCI Version (§3.1.5). */
    VS(0x10),
    /** Command Completion Coalescing Control (§3.1.6). */
    CCC_CTL(0x14),
    /** Command Completion Coalescing Ports (§3.1.7). */
    CCC_PORTS(0x18),
    /** Enclosure Management Location (§3.1.8). */
    EM_LOC(0x1C),
    /** Enclosure Management Control (§3.1.9). */
    EM_CTL(0x20),
    /** Host Capabilities Extended, see {@link Cap2} (§3.1.10). */
    CAP2(0x24),
    /** BIOS/OS Handoff Control and Status, see {@link Bohc} (§3.1.11). */
    BOHC(0x28);

    private final int offset;

    HbaRegister(int offset) {
        this.offset = offset;
    }

    /** Byte offset of the register from the start of ABAR. */
    public int offset() {
        return offset;
    }
}
