package io.jahci.hw.vfio;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class IovaAllocatorTest {
    static final long MIB = 1024 * 1024;

    @Test
    void bumpsAlignedFrom16MiB() {
        IovaAllocator a = new IovaAllocator(List.of(), 1L << 32);
        assertEquals(16 * MIB, a.allocate(16 * MIB, 2 * MIB));
        assertEquals(32 * MIB, a.allocate(3 * MIB, 2 * MIB));
        assertEquals(36 * MIB, a.allocate(2 * MIB, 2 * MIB));
    }

    @Test
    void stepsOverReservedRanges() {
        long msiStart = 0xfee0_0000L;
        IovaAllocator a = new IovaAllocator(List.of(new long[] {msiStart, msiStart + MIB},
                new long[] {20 * MIB, 21 * MIB}), 1L << 33);
        assertEquals(22 * MIB, a.allocate(6 * MIB, 2 * MIB), "16-22 MiB would cover the reserved 20-21 MiB");
        assertEquals(28 * MIB, a.allocate(msiStart - 28 * MIB - 2 * MIB, 2 * MIB));
        assertEquals(0xff00_0000L, a.allocate(16 * MIB, 2 * MIB), "past the MSI window, 2 MiB aligned");
    }

    @Test
    void staysBelowTheLimit() {
        IovaAllocator a = new IovaAllocator(List.of(), 64 * MIB);
        a.allocate(32 * MIB, 2 * MIB);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.allocate(32 * MIB, 2 * MIB));
        assertTrue(e.getMessage().contains("no I/O virtual address space"), e.getMessage());
    }
}
