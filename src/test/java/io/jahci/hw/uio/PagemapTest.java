package io.jahci.hw.uio;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.*;

/** pagemap entries (Documentation/admin-guide/mm/pagemap.rst) and the layout they give. */
class PagemapTest {
    static final long PRESENT = 1L << 63;
    static final long SOFT_DIRTY = 1L << 55;
    static final long EXCLUSIVE = 1L << 56;

    @Test
    void pfnIsBits0To54AndPresentIsBit63() throws IOException {
        long entry = PRESENT | EXCLUSIVE | SOFT_DIRTY | 0x12345L;
        assertTrue(Pagemap.present(entry));
        assertEquals(0x12345L, Pagemap.pfn(entry));
        assertEquals(0x12345000L, Pagemap.physicalAddress(entry, 0x7f0000000000L));
        assertEquals((1L << 55) - 1, Pagemap.pfn(-1L));
    }

    @Test
    void aZeroPfnMeansNotRoot() {
        IOException e = assertThrows(IOException.class, () -> Pagemap.physicalAddress(PRESENT | SOFT_DIRTY, 0x1000));
        assertTrue(e.getMessage().contains("run as root: /proc/self/pagemap hides page frame numbers from unprivileged"
                + " processes"), e.getMessage());
    }

    @Test
    void aPageNotPresentIsAnError() {
        IOException e = assertThrows(IOException.class, () -> Pagemap.physicalAddress(0x12345L, 0x2000));
        assertTrue(e.getMessage().contains("not in RAM"), e.getMessage());
    }

    @Test
    void contiguityBreaksWherePhysicalPagesDoNotFollow() {
        // pages: 0x10000, 0x11000, 0x12000 | 0x40000 | 0x9000, 0xa000
        PhysicalPages p = new PhysicalPages(new long[] {0x10000, 0x11000, 0x12000, 0x40000, 0x9000, 0xa000});
        assertEquals(6 * 4096, p.size());
        assertEquals(3, p.runs());
        assertEquals(0x10000 + 100, p.busAddress(100));
        assertEquals(3 * 4096, p.contiguousBytes(0));
        assertEquals(3 * 4096 - 5000, p.contiguousBytes(5000));
        assertEquals(1, p.contiguousBytes(3 * 4096 - 1));
        assertEquals(0x40000 + 8, p.busAddress(3 * 4096 + 8));
        assertEquals(4096, p.contiguousBytes(3 * 4096));
        assertEquals(0xa000 + 4095, p.busAddress(6 * 4096 - 1));
        assertEquals(2 * 4096, p.contiguousBytes(4 * 4096));
    }

    @Test
    void descendingPagesAreNotContiguous() {
        PhysicalPages p = new PhysicalPages(new long[] {0x5000, 0x4000, 0x3000});
        assertEquals(3, p.runs());
        assertEquals(4096, p.contiguousBytes(0));
    }

    @Test
    void aHugePageIsOneRun() {
        long[] pages = new long[512];
        for (int i = 0; i < pages.length; i++) {
            pages[i] = 0x4000_0000L + i * 4096L;
        }
        PhysicalPages p = new PhysicalPages(pages);
        assertEquals(1, p.runs());
        assertEquals(2 * 1024 * 1024, p.contiguousBytes(0));
    }
}
