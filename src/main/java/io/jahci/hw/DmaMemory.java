package io.jahci.hw;

import java.nio.ByteBuffer;

/**
 * Memory the device can reach by DMA: a CPU view plus the bus address the device must be given.
 *
 * <p>The memory stays pinned and mapped until {@link #close()}. {@link #buffer()} is a
 * little-endian view of the whole block (position 0, capacity {@link #size()}); callers use
 * absolute get/put so that views can be shared.
 */
public interface DmaMemory extends AutoCloseable {
    ByteBuffer buffer();

    long size();

    /** The bus address (IOVA, physical or guest-physical address) of byte {@code offset}. */
    long busAddress(long offset);

    /**
     * How many bytes from {@code offset} on are contiguous in bus address space (at least 1, at
     * most {@code size() - offset}). A scatter list breaks where this says.
     */
    long contiguousBytes(long offset);

    @Override
    void close();
}
