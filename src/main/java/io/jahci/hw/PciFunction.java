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

    /** The function's address, e.g. {@code 0000:00:05.0}. */
    String address();

    int readConfig32(int offset) throws IOException;

    int readConfig16(int offset) throws IOException;

    int readConfig8(int offset) throws IOException;

    void writeConfig32(int offset, int value) throws IOException;

    void writeConfig16(int offset, int value) throws IOException;
}
