package io.jahci.hw.uio;

import com.sun.jna.Memory;
import io.jahci.platform.Linux;
import io.jahci.platform.NativeException;

import java.io.IOException;

/**
 * Physical addresses of this process's pages, from {@code /proc/self/pagemap}
 * (Documentation/admin-guide/mm/pagemap.rst): one little-endian u64 per virtual page at offset
 * {@code (vaddr / PAGE_SIZE) * 8}; bit 63 = present, bits 0-54 = page frame number. Since Linux
 * 4.2 the PFN reads as zero unless the process has CAP_SYS_ADMIN.
 */
public final class Pagemap {
    public static final long PAGE_SIZE = 4096;
    static final long PRESENT = 1L << 63;
    static final long PFN_MASK = (1L << 55) - 1;

    private Pagemap() {}

    /** Whether a pagemap entry says the page is in RAM. */
    public static boolean present(long entry) {
        return (entry & PRESENT) != 0;
    }

    /** The page frame number of a pagemap entry (bits 0-54). */
    public static long pfn(long entry) {
        return entry & PFN_MASK;
    }

    /**
     * The physical address of each 4 KiB page of {@code [vaddr, vaddr + size)}, which must be
     * mapped and locked.
     *
     * @throws IOException when a page is not present or its frame number is hidden (not root)
     */
    public static long[] physicalAddresses(long vaddr, long size) throws IOException {
        int pages = (int) (size / PAGE_SIZE);
        Memory entries = new Memory(8L * pages);
        int fd = Linux.open("/proc/self/pagemap", Linux.O_RDONLY);
        try {
            long n = Linux.pread(fd, entries, 8L * pages, vaddr / PAGE_SIZE * 8, "/proc/self/pagemap");
            if (n != 8L * pages) {
                throw new IOException("short read from /proc/self/pagemap: " + n + " of " + 8L * pages + " bytes");
            }
        } finally {
            try {
                Linux.close(fd);
            } catch (NativeException ignored) {
                // read-only fd
            }
        }
        long[] out = new long[pages];
        for (int i = 0; i < pages; i++) {
            out[i] = physicalAddress(entries.getLong(8L * i), vaddr + i * PAGE_SIZE);
        }
        return out;
    }

    /** The physical address an entry gives for the page at {@code vaddr}, or a clear error. */
    static long physicalAddress(long entry, long vaddr) throws IOException {
        if (!present(entry)) {
            throw new IOException("page 0x" + Long.toHexString(vaddr) + " of the DMA memory is not in RAM although it"
                    + " is locked (pagemap entry 0x" + Long.toHexString(entry) + ")");
        }
        long pfn = pfn(entry);
        if (pfn == 0) {
            throw new IOException("the page frame number of DMA memory reads as zero: run as root: /proc/self/pagemap"
                    + " hides page frame numbers from unprivileged processes (CAP_SYS_ADMIN needed), and UIO has no"
                    + " IOMMU to translate addresses. Or use VFIO (`jahci bind --vfio`), which works without root");
        }
        return pfn * PAGE_SIZE;
    }
}
