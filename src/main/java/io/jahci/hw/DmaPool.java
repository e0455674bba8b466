package io.jahci.hw;

import com.sun.jna.Pointer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * DMA memory for the VFIO and UIO transports: pinned regions, each sub-allocated with an
 * {@link ArenaAllocator}. A request that fits no region gets a new one (at least
 * {@link #REGION_BYTES}), so a controller with six ports needs two or three regions, not one per block.
 *
 * <p>Thread safe (synchronized). Not on a hot path: blocks are allocated when ports start.
 */
public final class DmaPool implements AutoCloseable {
    /** Default size of one region: room for three ports' 4 MiB bounce buffers and their tables. */
    public static final long REGION_BYTES = 16L * 1024 * 1024;

    /** A pinned, mapped region and how its bytes look from the device. */
    public interface Region extends AutoCloseable {
        /** Virtual address of byte 0 in this process. */
        long address();

        long size();

        long busAddress(long offset);

        /** Bytes from {@code offset} on that are contiguous in bus address space (at least 1). */
        long contiguousBytes(long offset);

        /** Every block whose offset is a multiple of this (a power of two) has a bus address that is too. */
        long busAlignment();

        @Override
        void close();
    }

    /** Makes a new region of at least {@code bytes}. */
    public interface RegionFactory {
        Region create(long bytes) throws IOException;
    }

    private final RegionFactory factory;
    private final long regionBytes;
    private final List<Region> regions = new ArrayList<>();
    private final List<ArenaAllocator> arenas = new ArrayList<>();
    private boolean closed;

    public DmaPool(RegionFactory factory, long regionBytes) {
        this.factory = factory;
        this.regionBytes = regionBytes;
    }

    /** Zeroed memory of {@code size} bytes whose bus address is aligned to {@code alignment}. */
    public synchronized DmaMemory allocate(long size, long alignment) throws IOException {
        if (closed) {
            throw new IllegalStateException("the DMA pool is closed");
        }
        if (size <= 0 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("size " + size + " must be > 0 and alignment " + alignment
                    + " a power of two");
        }
        for (int i = 0; i < regions.size(); i++) {
            Region r = regions.get(i);
            if (alignment <= r.busAlignment()) {
                try {
                    return block(r, arenas.get(i), arenas.get(i).allocate(size, alignment), size);
                } catch (IllegalStateException full) {
                    // try the next region
                }
            }
        }
        long bytes = Math.max(regionBytes, roundUp(size + alignment, 2L * 1024 * 1024));
        Region r = factory.create(bytes);
        if (alignment > r.busAlignment()) {
            r.close();
            throw new IllegalArgumentException("DMA alignment " + alignment + " exceeds what this transport's memory"
                    + " guarantees (" + r.busAlignment() + " bytes)");
        }
        ArenaAllocator arena = new ArenaAllocator(r.size());
        regions.add(r);
        arenas.add(arena);
        return block(r, arena, arena.allocate(size, alignment), size);
    }

    private static long roundUp(long value, long unit) {
        return (value + unit - 1) / unit * unit;
    }

    private DmaMemory block(Region region, ArenaAllocator arena, long offset, long size) {
        new Pointer(region.address()).setMemory(offset, size, (byte) 0);
        return new Block(region, arena, offset, size);
    }

    public synchronized int regionCount() {
        return regions.size();
    }

    /** Releases every region (whether or not its blocks were closed). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        for (Region r : regions) {
            try {
                r.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        regions.clear();
        arenas.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private static final class Block implements DmaMemory {
        private final Region region;
        private final ArenaAllocator arena;
        private final long offset;
        private final long size;
        private final ByteBuffer buffer;
        private boolean freed;

        Block(Region region, ArenaAllocator arena, long offset, long size) {
            this.region = region;
            this.arena = arena;
            this.offset = offset;
            this.size = size;
            this.buffer = new Pointer(region.address()).getByteBuffer(offset, size).order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public ByteBuffer buffer() {
            return buffer;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public long busAddress(long o) {
            if (o < 0 || o >= size) {
                throw new IndexOutOfBoundsException("offset " + o + " outside a DMA block of " + size + " bytes");
            }
            return region.busAddress(offset + o);
        }

        @Override
        public long contiguousBytes(long o) {
            if (o < 0 || o >= size) {
                throw new IndexOutOfBoundsException("offset " + o + " outside a DMA block of " + size + " bytes");
            }
            return Math.min(region.contiguousBytes(offset + o), size - o);
        }

        @Override
        public synchronized void close() {
            if (!freed) {
                freed = true;
                arena.free(offset);
            }
        }
    }
}
