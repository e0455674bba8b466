package io.jahci.hw;

/**
 * A memory-mapped register BAR (for AHCI: ABAR, BAR5), accessed with exact-width, ordered 32-bit
 * loads and stores. A write is visible to the device before any later read or write of the window
 * and after every earlier store to {@link DmaMemory} (a doorbell write publishes the command).
 *
 * <p>Implementations are thread safe. Methods do not throw checked exceptions: a transport that
 * loses its device throws {@link DeviceLostException}.
 */
public interface RegisterWindow {
    int read32(int offset);

    void write32(int offset, int value);

    /** Size of the window in bytes. */
    long size();
}
