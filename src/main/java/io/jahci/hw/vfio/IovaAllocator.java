package io.jahci.hw.vfio;

import java.util.ArrayList;
import java.util.List;

/**
 * Hands out I/O virtual addresses for DMA regions: a bump allocator from {@link #FIRST_IOVA} up to
 * a limit, stepping over the IOMMU group's reserved ranges (the MSI window at 0xfee00000, RMRRs).
 * Regions are few and live as long as the transport, so addresses are never reused.
 */
final class IovaAllocator {
    /** Start above the first 16 MiB: low addresses are where RMRRs and legacy ranges live. */
    static final long FIRST_IOVA = 16L * 1024 * 1024;

    private final List<long[]> reserved;
    private final long limit;
    private long next = FIRST_IOVA;

    /**
     * @param reserved {start, endExclusive} ranges never to hand out
     * @param limit    addresses stay below this (4 GiB for a controller without 64-bit addressing)
     */
    IovaAllocator(List<long[]> reserved, long limit) {
        this.reserved = new ArrayList<>(reserved);
        this.limit = limit;
    }

    /** An IOVA for {@code size} bytes aligned to {@code alignment} (a power of two). */
    synchronized long allocate(long size, long alignment) {
        long candidate = align(next, alignment);
        boolean moved = true;
        while (moved) {
            moved = false;
            for (long[] r : reserved) {
                if (candidate < r[1] && candidate + size > r[0]) {
                    candidate = align(r[1], alignment);
                    moved = true;
                }
            }
        }
        if (candidate + size > limit || candidate + size < candidate) {
            throw new IllegalStateException("no I/O virtual address space left for " + size + " bytes below 0x"
                    + Long.toHexString(limit));
        }
        next = candidate + size;
        return candidate;
    }

    private static long align(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }
}
