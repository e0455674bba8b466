package io.jahci.hw.qemu;

import com.sun.jna.Pointer;
import io.jahci.hw.DmaPool;
import io.jahci.platform.Linux;
import io.jahci.platform.NativeException;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The guest's RAM, mapped into this process from QEMU's memory-backend file: guest physical
 * address = file offset for RAM below the PCI hole, so a block of it is DMA memory whose bus
 * address is its offset. The controller model's DMA lands here exactly as a real device's would.
 * It is the one region of a {@link DmaPool}.
 *
 * <p>Blocks are handed out above {@link #FIRST_DMA_ADDRESS}: the first MiB of a PC's address
 * space holds the VGA window and the BIOS shadow, which are not plain RAM.
 */
final class GuestRam implements DmaPool.Region {
    static final long FIRST_DMA_ADDRESS = 1024 * 1024;
    /** Blocks start at 1 MiB plus a multiple of their alignment: bus alignment holds up to 1 MiB. */
    private static final long ALIGNMENT = FIRST_DMA_ADDRESS;

    private final long mapping;
    private final long mappingSize;
    private boolean closed;

    private GuestRam(long mapping, long mappingSize) {
        this.mapping = mapping;
        this.mappingSize = mappingSize;
    }

    /** Maps {@code file}, QEMU's guest RAM of {@code size} bytes. */
    static GuestRam map(Path file, long size) throws NativeException {
        int fd = Linux.open(file.toString(), Linux.O_RDWR);
        try {
            return new GuestRam(Linux.mmap(size, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, fd, 0,
                    file.toString()), size);
        } finally {
            Linux.close(fd);
        }
    }

    /** A pool that hands out this RAM above the first MiB, as one region; closing the pool unmaps it. */
    DmaPool pool() {
        boolean[] handedOut = new boolean[1];
        return new DmaPool(bytes -> {
            if (handedOut[0]) {
                throw new IOException("QEMU's guest RAM (" + (mappingSize >> 20) + " MiB) is used up; "
                        + "give QEMU more with a larger guest RAM size");
            }
            handedOut[0] = true;
            return this;
        }, mappingSize - FIRST_DMA_ADDRESS);
    }

    /**
     * The little-endian dword at guest physical address {@code physical}, as the controller's DMA
     * would read it; for checks of what a driver put in memory. Any thread.
     *
     * @throws IllegalArgumentException when the address is not in guest RAM
     */
    int read32(long physical) {
        if (physical < 0 || physical > mappingSize - 4) {
            throw new IllegalArgumentException("guest physical address 0x" + Long.toHexString(physical)
                    + " is outside guest RAM (" + (mappingSize >> 20) + " MiB)");
        }
        return new Pointer(mapping).getInt(physical);
    }

    @Override
    public long address() {
        return mapping + FIRST_DMA_ADDRESS;
    }

    @Override
    public long size() {
        return mappingSize - FIRST_DMA_ADDRESS;
    }

    @Override
    public long busAddress(long offset) {
        return FIRST_DMA_ADDRESS + offset;
    }

    @Override
    public long contiguousBytes(long offset) {
        return size() - offset;
    }

    @Override
    public long busAlignment() {
        return ALIGNMENT;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                Linux.munmap(mapping, mappingSize);
            } catch (NativeException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
