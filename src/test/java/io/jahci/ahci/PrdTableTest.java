package io.jahci.ahci;

import static io.jahci.ahci.Buffers.bytes;
import static io.jahci.ahci.Buffers.of;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Expected entries are written by hand from AHCI 1.3.1 §4.2.3.3. */
class PrdTableTest {
    private static final int TABLE = 0x80;
    private static final int MIB = 1024 * 1024;

    private final ByteBuffer buf = Buffers.dirty(TABLE + 8 * 16);

    /** Memory made of regions, each contiguous in bus address space, laid end to end. */
    private static final class Regions implements PrdTable.BusMap {
        private final long[] sizes;
        private final long[] busAddresses;

        Regions(long[] sizes, long[] busAddresses) {
            this.sizes = sizes;
            this.busAddresses = busAddresses;
        }

        @Override
        public long busAddress(long offset) {
            int region = region(offset);
            return busAddresses[region] + offset - start(region);
        }

        @Override
        public long contiguousBytes(long offset) {
            int region = region(offset);
            return start(region) + sizes[region] - offset;
        }

        private long start(int region) {
            long start = 0;
            for (int i = 0; i < region; i++) {
                start += sizes[i];
            }
            return start;
        }

        private int region(long offset) {
            for (int i = 0; i < sizes.length; i++) {
                if (offset < start(i) + sizes[i]) {
                    return i;
                }
            }
            throw new AssertionError("offset " + offset + " outside the memory");
        }
    }

    private static final Regions THREE_REGIONS = new Regions(
            new long[] {8192, 4096, 8192},
            new long[] {0x1_0000, 0x5_0000, 0x9_0000});

    @Test
    void writeEntryBytes() {
        PrdTable.writeEntry(buf, TABLE, 2, 0x1_2345_6000L, 4096, true);
        int entry = TABLE + 2 * 16;
        assertArrayEquals(of(
                0x00, 0x60, 0x45, 0x23, // DBA
                0x01, 0x00, 0x00, 0x00, // DBAU
                0x00, 0x00, 0x00, 0x00, // reserved
                0xFF, 0x0F, 0x00, 0x80), // DBC 4095, I
                bytes(buf, entry, 16));
        assertTrue(Buffers.untouchedOutside(buf, entry, entry + 16));
    }

    @Test
    void writeEntryOfMaximumSizeWithoutInterrupt() {
        PrdTable.writeEntry(buf, TABLE, 0, 0x2000, PrdTable.MAX_ENTRY_BYTES, false);
        assertEquals(0x003F_FFFF, buf.getInt(TABLE + 12));
    }

    @Test
    void writeEntryRejectsOddCountsAndAddressesAndBadSizes() {
        assertThrows(IllegalArgumentException.class,
                () -> PrdTable.writeEntry(buf, TABLE, 0, 0x2000, 4095, false));
        assertThrows(IllegalArgumentException.class,
                () -> PrdTable.writeEntry(buf, TABLE, 0, 0x2001, 4096, false));
        assertThrows(IllegalArgumentException.class,
                () -> PrdTable.writeEntry(buf, TABLE, 0, 0x2000, 0, false));
        assertThrows(IllegalArgumentException.class,
                () -> PrdTable.writeEntry(buf, TABLE, 0, 0x2000, 4 * MIB + 2, false));
    }

    @Test
    void scatterListAcrossThreeDiscontiguousRegions() {
        int entries = PrdTable.build(buf, TABLE, 8, THREE_REGIONS, 4096, 14336, 4 * MIB);
        assertEquals(3, entries);
        assertArrayEquals(of(
                0x00, 0x10, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0x0F, 0x00, 0x00,
                0x00, 0x00, 0x05, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0x0F, 0x00, 0x00,
                0x00, 0x00, 0x09, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0x17, 0x00, 0x80),
                bytes(buf, TABLE, 48));
        assertTrue(Buffers.untouchedOutside(buf, TABLE, TABLE + 48));
    }

    @Test
    void splitsContiguousMemoryAtMaxEntryBytes() {
        Regions one = new Regions(new long[] {16384}, new long[] {0x20_0000});
        int entries = PrdTable.build(buf, TABLE, 8, one, 0, 10000, 4096);
        assertEquals(3, entries);
        assertEquals(0x20_0000, buf.getInt(TABLE));
        assertEquals(4095, buf.getInt(TABLE + 12));
        assertEquals(0x20_1000, buf.getInt(TABLE + 16));
        assertEquals(4095, buf.getInt(TABLE + 28));
        assertEquals(0x20_2000, buf.getInt(TABLE + 32));
        assertEquals(0x8000_070F, buf.getInt(TABLE + 44)); // 1808 bytes, I
    }

    @Test
    void splitsLargeContiguousMemoryAtFourMiB() {
        Regions one = new Regions(new long[] {16L * MIB}, new long[] {0x1_0000_0000L});
        int entries = PrdTable.build(buf, TABLE, 8, one, 0, 10L * MIB, PrdTable.MAX_ENTRY_BYTES);
        assertEquals(3, entries);
        assertEquals(0x003F_FFFF, buf.getInt(TABLE + 12));
        assertEquals(0x0040_0000, buf.getInt(TABLE + 16));
        assertEquals(0x1, buf.getInt(TABLE + 20));
        assertEquals(0x801F_FFFF, buf.getInt(TABLE + 44));
    }

    @Test
    void tooManyEntriesIsRejectedAndSaysHowManyWereNeeded() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PrdTable.build(buf, TABLE, 2, THREE_REGIONS, 0, 20480, 4 * MIB));
        assertTrue(e.getMessage().contains("needs 3 PRD entries"), e.getMessage());
        assertTrue(Buffers.untouchedOutside(buf, TABLE, TABLE + 32));
    }

    @Test
    void buildRejectsBadArguments() {
        assertThrows(IllegalArgumentException.class,
                () -> PrdTable.build(buf, TABLE, 8, THREE_REGIONS, 0, 4096, 4095));
        assertThrows(IllegalArgumentException.class,
                () -> PrdTable.build(buf, TABLE, 8, THREE_REGIONS, 0, 4096, 4 * MIB + 2));
        assertThrows(IllegalArgumentException.class,
                () -> PrdTable.build(buf, TABLE, 8, THREE_REGIONS, 0, 0, 4096));
        // a run of odd length cannot be described
        assertThrows(IllegalArgumentException.class,
                () -> PrdTable.build(buf, TABLE, 8, THREE_REGIONS, 0, 4095, 4096));
    }
}
