package io.jahci.hw;

import java.util.Map;
import java.util.TreeMap;

/**
 * First-fit allocator of aligned ranges inside one arena of {@code [0, size)} offsets. Transports
 * use it to hand out DMA blocks from one pinned, bus-contiguous region. Not on a hot path:
 * blocks are allocated when a port starts and freed when it stops.
 *
 * <p>Thread safe (synchronized).
 */
public final class ArenaAllocator {
    private final long size;
    /** Free ranges: start offset to length, non-overlapping and never adjacent (merged on free). */
    private final TreeMap<Long, Long> free = new TreeMap<>();
    /** Allocated blocks: start offset to length. */
    private final TreeMap<Long, Long> used = new TreeMap<>();

    public ArenaAllocator(long size) {
        this.size = size;
        free.put(0L, size);
    }

    public long size() {
        return size;
    }

    /**
     * Returns the offset of a block of {@code length} bytes whose offset is a multiple of
     * {@code alignment} (a power of two).
     *
     * @throws IllegalStateException when no free range is large enough
     */
    public synchronized long allocate(long length, long alignment) {
        if (length <= 0 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("length " + length + " must be > 0 and alignment "
                    + alignment + " a power of two");
        }
        for (Map.Entry<Long, Long> range : free.entrySet()) {
            long start = range.getKey();
            long end = start + range.getValue();
            long aligned = (start + alignment - 1) & -alignment;
            if (aligned + length <= end) {
                free.remove(start);
                if (aligned > start) {
                    free.put(start, aligned - start);
                }
                if (aligned + length < end) {
                    free.put(aligned + length, end - aligned - length);
                }
                used.put(aligned, length);
                return aligned;
            }
        }
        throw new IllegalStateException("DMA arena of " + size + " bytes has no free block of " + length
                + " bytes aligned to " + alignment + " (" + usedBytes() + " bytes in use)");
    }

    /** Returns the block at {@code offset} to the arena. */
    public synchronized void free(long offset) {
        Long block = used.remove(offset);
        if (block == null) {
            throw new IllegalArgumentException("offset 0x" + Long.toHexString(offset) + " is not an allocated block");
        }
        long start = offset;
        long length = block;
        Map.Entry<Long, Long> before = free.floorEntry(start);
        if (before != null && before.getKey() + before.getValue() == start) {
            start = before.getKey();
            length += before.getValue();
            free.remove(before.getKey());
        }
        Long afterLength = free.remove(start + length);
        if (afterLength != null) {
            length += afterLength;
        }
        free.put(start, length);
    }

    public synchronized long usedBytes() {
        long total = 0;
        for (long length : used.values()) {
            total += length;
        }
        return total;
    }
}
