package io.jahci.hw;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The policy that gets a 32-bit HBA its DMA memory on a transport whose pages may lie anywhere:
 * regions are described here by their pages' bus addresses, as UIO's pagemap would give them.
 */
class Below4GTest {
    private static final long PAGE = 4096;

    /** A region of pages at the given bus addresses; records whether it was closed. */
    private static final class Pages implements DmaPool.Region {
        final long[] bus;
        boolean closed;

        Pages(long... bus) {
            this.bus = bus;
        }

        @Override
        public long address() {
            return 0;
        }

        @Override
        public long size() {
            return bus.length * PAGE;
        }

        @Override
        public long busAddress(long offset) {
            return bus[(int) (offset / PAGE)] + offset % PAGE;
        }

        @Override
        public long contiguousBytes(long offset) {
            int page = (int) (offset / PAGE);
            int end = page + 1;
            while (end < bus.length && bus[end] == bus[end - 1] + PAGE) {
                end++;
            }
            return end * PAGE - offset;
        }

        @Override
        public long busAlignment() {
            return PAGE;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void theHighestBusAddressIsFoundInAnyRunNotOnlyTheLast() {
        assertEquals(0x1_0000_0fffL, Below4G.highestBusAddress(new Pages(0x1000, 0x1_0000_0000L, 0x2000)));
        assertEquals(0x2fff, Below4G.highestBusAddress(new Pages(0x1000, 0x2000)));
    }

    @Test
    void regionsReachingAbove4GiBAreHeldWhileTryingAgainThenReleased() throws IOException {
        List<Pages> made = new ArrayList<>(List.of(new Pages(0x1_0000_0000L, 0x1_0000_1000L),
                new Pages(0x1000, 0xffff_f000L + PAGE), new Pages(0x8000, 0x9000)));
        List<Pages> handedOut = new ArrayList<>();
        DmaPool.Region r = new Below4G(bytes -> {
            Pages p = made.remove(0);
            handedOut.add(p);
            return p;
        }).create(2 * PAGE);
        assertSame(handedOut.get(2), r, "the first region wholly below 4 GiB");
        assertTrue(handedOut.get(0).closed && handedOut.get(1).closed, "the rejected regions are released");
        assertFalse(handedOut.get(2).closed);
    }

    @Test
    void noRegionBelow4GiBGivesUpAfterItsTriesSayingWhatToDo() {
        List<Pages> handedOut = new ArrayList<>();
        IOException e = assertThrows(IOException.class, () -> new Below4G(bytes -> {
            Pages p = new Pages(0x2_0000_0000L);
            handedOut.add(p);
            return p;
        }).create(PAGE));
        assertEquals(Below4G.TRIES, handedOut.size());
        assertTrue(handedOut.stream().allMatch(p -> p.closed), "nothing stays pinned");
        assertTrue(e.getMessage().contains("hugepages=N"), e.getMessage());
    }
}
