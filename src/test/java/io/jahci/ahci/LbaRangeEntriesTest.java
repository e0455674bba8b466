package io.jahci.ahci;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** DATA SET MANAGEMENT TRIM's LBA range entries (ACS-3 §7.5.3.2) byte for byte. */
class LbaRangeEntriesTest {
    @Test
    void oneShortRangeIsOneLittleEndianEntryAndZeroesAfterIt() {
        ByteBuffer b = ByteBuffer.allocate(1024);
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, (byte) 0xEE);
        }
        assertEquals(8, LbaRangeEntries.encode(b, 1, 0x0000_1234_5678_9ABCL, 8));
        // LBA 47:0 = 123456789ABC, length 63:48 = 0008, little-endian
        byte[] first = new byte[8];
        b.get(0, first);
        assertEquals("bc9a785634120800", java.util.HexFormat.of().formatHex(first));
        for (int i = 8; i < 512; i++) {
            assertEquals(0, b.get(i), "unused entries are zero (byte " + i + ")");
        }
        assertEquals((byte) 0xEE, b.get(512), "only the blocks asked for are written");
    }

    @Test
    void longRangesAreSplitIntoEntriesOf65535SectorsAndLimitedByTheBlocks() {
        ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.BIG_ENDIAN);
        long sectors = 65535L * 70; // needs 70 entries; one block holds 64
        assertEquals(2, LbaRangeEntries.blocksFor(sectors, 8));
        assertEquals(1, LbaRangeEntries.blocksFor(sectors, 1));
        assertEquals(65535L * 64, LbaRangeEntries.encode(b, 1, 100, sectors));
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals((0xFFFFL << 48) | 100, le.getLong(0));
        assertEquals((0xFFFFL << 48) | (100 + 65535L * 63), le.getLong(63 * 8));
    }

    @Test
    void theLastEntryHoldsTheRest() {
        ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(65536, LbaRangeEntries.encode(b, 1, 0, 65536));
        assertEquals(0xFFFFL << 48, b.getLong(0));
        assertEquals((1L << 48) | 65535, b.getLong(8));
        assertEquals(0, b.getLong(16));
    }
}
