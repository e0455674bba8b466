package io.jahci.hw;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * DMA regions whose every bus address lies below 4 GiB, for an HBA without CAP.S64A (AHCI 1.3.1
 * §3.1.1: the upper address registers read 0) on a transport that hands out physical pages from
 * anywhere in RAM (UIO). It asks the transport's own factory again until a region lies wholly below
 * 4 GiB, holding the regions that did not so that they are not handed back, and then releases
 * them. PASSIVE: it allocates and pins memory.
 */
public final class Below4G implements DmaPool.RegionFactory {
    /** How many regions to try before giving up. */
    public static final int TRIES = 64;
    private static final long LIMIT = 1L << 32;

    private final DmaPool.RegionFactory anywhere;

    public Below4G(DmaPool.RegionFactory anywhere) {
        this.anywhere = anywhere;
    }

    @Override
    public DmaPool.Region create(long bytes) throws IOException {
        List<DmaPool.Region> rejected = new ArrayList<>();
        try {
            for (int i = 0; i < TRIES; i++) {
                DmaPool.Region r = anywhere.create(bytes);
                if (highestBusAddress(r) < LIMIT) {
                    return r;
                }
                rejected.add(r);
            }
        } finally {
            rejected.forEach(DmaPool.Region::close);
        }
        throw new IOException("the HBA addresses only 32 bits (no CAP.S64A), and " + TRIES + " tries gave no "
                + (bytes >> 20) + " MiB of pinned memory wholly below 4 GiB: reserve huge pages early at boot "
                + "(kernel parameter hugepages=N, which takes them low), or use VFIO, whose IOMMU places DMA "
                + "below 4 GiB");
    }

    /** The highest bus address any byte of {@code r} has. */
    static long highestBusAddress(DmaPool.Region r) {
        long highest = 0;
        for (long offset = 0; offset < r.size(); ) {
            long run = Math.min(r.contiguousBytes(offset), r.size() - offset);
            highest = Math.max(highest, r.busAddress(offset) + run - 1);
            offset += run;
        }
        return highest;
    }
}
