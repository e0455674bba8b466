package io.jahci.hw.qemu;

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

    /** Maps {@code file} and returns a pool that hands out guest RAM above the first MiB. */
    static DmaPool pool(Path file, long size) throws NativeException {
        int fd = Linux.open(file.toString(), Linux.O_RDWR);
        long address;
        try {
            address = Linux.mmap(size, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, fd, 0, file.toString());
        } finally {
            Linux.close(fd);
        }
        GuestRam ram = new GuestRam(address, size);
        boolean[] handedOut = new boolean[1];
        return new DmaPool(bytes -> {
            if (handedOut[0]) {
                throw new IOException("QEMU's guest RAM (" + (size >> 20) + " MiB) is used up; "
                        + "give QEMU more with a larger guest RAM size");
            }
            handedOut[0] = true;
            return ram;
        }, size - FIRST_DMA_ADDRESS);
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
