package io.jahci.hw;

import java.io.IOException;

/**
 * One PCI function's configuration space (PCI Local Bus 3.0 §6.1), as the transport reaches it.
 * Offsets are bytes; reads and writes are exact-width.
 */
public interface PciFunction {
    /** Offset of the command register (PCI 3.0 §6.2.2). */
    int COMMAND = 0x04;
    /** Command register: respond to memory space accesses. */
    int COMMAND_MEMORY_SPACE = 1 << 1;
    /** Command register: may act as a bus master (needed for DMA). */
    int COMMAND_BUS_MASTER = 1 << 2;
    /** Command register: INTx emulation disabled. */
    int COMMAND_INTX_DISABLE = 1 << 10;
    /** Offset of the status register (PCI 3.0 §6.2.3). */
    int STATUS = 0x06;
    /** Status register: the function has a capabilities list (PCI 3.0 §6.2.3). */
    int STATUS_CAPABILITIES_LIST = 1 << 4;
    /** Offset of the pointer to the first capability (PCI 3.0 §6.7). */
    int CAPABILITIES_POINTER = 0x34;
    /** Capability ID of MSI (PCI 3.0 §6.8.1). */
    int CAPABILITY_MSI = 0x05;
    /** Offset of the vendor and device IDs (PCI 3.0 §6.2.1). */
    int VENDOR_ID = 0x00;
    /** Offset of the revision ID and, above it, the class code (PCI 3.0 §6.2.1). */
    int CLASS_REVISION = 0x08;
    /** Class code of an AHCI 1.0 HBA: mass storage, SATA, AHCI (AHCI 1.3.1 §2.1.6). */
    int AHCI_CLASS = 0x010601;

    /** The function's address, e.g. {@code 0000:00:05.0}. */
    String address();

    int readConfig32(int offset) throws IOException;

    int readConfig16(int offset) throws IOException;

    int readConfig8(int offset) throws IOException;

    void writeConfig32(int offset, int value) throws IOException;

    void writeConfig16(int offset, int value) throws IOException;

    /**
     * Checks, in config space, that this function is an AHCI controller (class 01:06:01). PASSIVE.
     *
     * @param where what the function is, for the message, e.g. {@code QEMU's device at 0000:00:05.0}
     * @throws IOException naming the IDs and class found
     */
    default void requireAhciClass(String where) throws IOException {
        int classCode = readConfig32(CLASS_REVISION) >>> 8;
        if (classCode != AHCI_CLASS) {
            int ids = readConfig32(VENDOR_ID);
            throw new IOException(String.format("%s is %04x:%04x class %06x, not an AHCI controller (class 010601)",
                    where, ids & 0xffff, ids >>> 16, classCode));
        }
    }
}
