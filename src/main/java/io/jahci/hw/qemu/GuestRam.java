package io.jahci.hw.qemu;

import com.sun.jna.Pointer;
import io.jahci.hw.ArenaAllocator;
import io.jahci.hw.DmaMemory;
import io.jahci.platform.Linux;
import io.jahci.platform.NativeException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The guest's RAM, mapped into this process from QEMU's memory-backend file: guest physical
 * address = file offset for RAM below the PCI hole, so a block of it is DMA memory whose bus
 * address is its offset. The controller model's DMA lands here exactly as a real device's would.
 *
 * <p>Blocks are handed out above {@link #FIRST_DMA_ADDRESS}: the first MiB of a PC's address
 * space holds the VGA window and the BIOS shadow, which are not plain RAM.
 */
final class GuestRam implements AutoCloseable {
    static final long FIRST_DMA_ADDRESS = 1024 * 1024;

    private final long address;
    private final long size;
    private final ArenaAllocator arena;
    private boolean closed;

    GuestRam(Path file, long size) throws NativeException {
        int fd = Linux.open(file.toString(), Linux.O_RDWR);
        try {
            this.address = Linux.mmap(size, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, fd, 0,
                    file.toString());
        } finally {
            Linux.close(fd);
        }
        this.size = size;
        this.arena = new ArenaAllocator(size - FIRST_DMA_ADDRESS);
    }

    DmaMemory allocate(long length, long alignment) {
        long offset = FIRST_DMA_ADDRESS + arena.allocate(length, alignment);
        new Pointer(address).setMemory(offset, length, (byte) 0);
        return new Block(offset, length);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                Linux.munmap(address, size);
            } catch (NativeException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A block of guest RAM; bus address = guest physical address = offset in the file. */
    private final class Block implements DmaMemory {
        private final long guestAddress;
        private final long length;
        private final ByteBuffer buffer;
        private boolean freed;

        Block(long guestAddress, long length) {
            this.guestAddress = guestAddress;
            this.length = length;
            this.buffer = new Pointer(address).getByteBuffer(guestAddress, length).order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public ByteBuffer buffer() {
            return buffer;
        }

        @Override
        public long size() {
            return length;
        }

        @Override
        public long busAddress(long offset) {
            return guestAddress + offset;
        }

        @Override
        public long contiguousBytes(long offset) {
            return length - offset;
        }

        @Override
        public synchronized void close() {
            if (!freed) {
                freed = true;
                arena.free(guestAddress - FIRST_DMA_ADDRESS);
            }
        }
    }
}
