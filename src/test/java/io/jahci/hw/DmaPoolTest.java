package io.jahci.hw;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Sub-allocation, growth and contiguity of the VFIO/UIO DMA pool, over plain native memory. */
class DmaPoolTest {
    /** A region at bus address {@code bus}, physically broken every {@code runBytes}. */
    static final class FakeRegion implements DmaPool.Region {
        final Memory memory;
        final long bus;
        final long runBytes;
        final long alignment;
        boolean closed;

        FakeRegion(long size, long bus, long runBytes, long alignment) {
            this.memory = new Memory(size);
            this.bus = bus;
            this.runBytes = runBytes;
            this.alignment = alignment;
            memory.setMemory(0, size, (byte) 0x5a);
        }

        @Override
        public long address() {
            return Pointer.nativeValue(memory);
        }

        @Override
        public long size() {
            return memory.size();
        }

        @Override
        public long busAddress(long offset) {
            return bus + offset;
        }

        @Override
        public long contiguousBytes(long offset) {
            return runBytes - offset % runBytes;
        }

        @Override
        public long busAlignment() {
            return alignment;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    final List<FakeRegion> made = new ArrayList<>();

    DmaPool pool(long regionBytes, long runBytes) {
        return new DmaPool(bytes -> {
            FakeRegion r = new FakeRegion(bytes, 0x100_0000L * (made.size() + 1), runBytes, 2 * 1024 * 1024);
            made.add(r);
            return r;
        }, regionBytes);
    }

    @Test
    void blocksAreZeroedAlignedAndShareARegion() throws IOException {
        DmaPool p = pool(1 << 20, 1 << 20);
        DmaMemory a = p.allocate(100, 128);
        DmaMemory b = p.allocate(5000, 1024);
        assertEquals(1, p.regionCount());
        assertEquals(0, a.buffer().get(99));
        assertEquals(0, b.buffer().get(4999));
        assertEquals(0, b.busAddress(0) % 1024);
        assertEquals(a.busAddress(0) + 50, a.busAddress(50));
        assertEquals(5000, b.contiguousBytes(0), "never past the block's end");
        assertThrows(IndexOutOfBoundsException.class, () -> b.busAddress(5000));
    }

    @Test
    void growsANewRegionWhenFullAndFreedSpaceIsReused() throws IOException {
        DmaPool p = pool(4 << 20, 4 << 20);
        DmaMemory big = p.allocate(3 << 20, 4096);
        DmaMemory second = p.allocate(3 << 20, 4096);
        assertEquals(2, p.regionCount());
        assertEquals(0x200_0000L, second.busAddress(0));
        big.close();
        DmaMemory again = p.allocate(3 << 20, 4096);
        assertEquals(0x100_0000L, again.busAddress(0));
        assertEquals(2, p.regionCount());
        DmaMemory huge = p.allocate(9 << 20, 4096);
        assertTrue(made.get(2).size() >= (9 << 20) + 4096);
        assertNotNull(huge);
        p.close();
        assertTrue(made.stream().allMatch(r -> r.closed));
        assertThrows(IllegalStateException.class, () -> p.allocate(1, 1));
    }

    @Test
    void contiguityFollowsTheRegion() throws IOException {
        DmaPool p = pool(1 << 20, 4096);
        DmaMemory m = p.allocate(3 * 4096, 4096);
        assertEquals(4096, m.contiguousBytes(0));
        assertEquals(96, m.contiguousBytes(4000));
    }

    @Test
    void refusesAlignmentTheMemoryCannotGuarantee() {
        DmaPool p = new DmaPool(bytes -> new FakeRegion(bytes, 0x1000, bytes, 4096), 1 << 20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.allocate(4096, 8192));
        assertTrue(e.getMessage().contains("4096"), e.getMessage());
    }
}
