package io.jahci.hw.uio;

/**
 * The physical layout of a virtually contiguous buffer: the physical address of each 4 KiB page,
 * and from each page how far the memory stays physically contiguous. A scatter list breaks where
 * {@link #contiguousBytes} says.
 */
final class PhysicalPages {
    private final long[] pages;
    /** runEnd[i]: the index of the first page after i that does not follow physically. */
    private final int[] runEnd;

    PhysicalPages(long[] pageAddresses) {
        this.pages = pageAddresses.clone();
        this.runEnd = new int[pages.length];
        for (int i = pages.length - 1; i >= 0; i--) {
            boolean joins = i + 1 < pages.length && pages[i + 1] == pages[i] + Pagemap.PAGE_SIZE;
            runEnd[i] = joins ? runEnd[i + 1] : i + 1;
        }
    }

    long size() {
        return pages.length * Pagemap.PAGE_SIZE;
    }

    long busAddress(long offset) {
        return pages[(int) (offset / Pagemap.PAGE_SIZE)] + offset % Pagemap.PAGE_SIZE;
    }

    long contiguousBytes(long offset) {
        int page = (int) (offset / Pagemap.PAGE_SIZE);
        return runEnd[page] * Pagemap.PAGE_SIZE - offset;
    }

    /** How many physically contiguous runs the buffer has (1 = fully contiguous). */
    int runs() {
        int runs = 0;
        for (int i = 0; i < pages.length; i = runEnd[i]) {
            runs++;
        }
        return runs;
    }
}
