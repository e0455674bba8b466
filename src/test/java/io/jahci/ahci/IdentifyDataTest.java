package io.jahci.ahci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** IDENTIFY DEVICE data built by hand from ACS-3 §7.12.7. */
class IdentifyDataTest {
    private static final int OFFSET = 32;

    private final ByteBuffer buf = ByteBuffer.allocate(OFFSET + 512).order(ByteOrder.BIG_ENDIAN);

    /** Stores {@code value} as a little-endian word, whatever the buffer's order. */
    private void word(int index, int value) {
        buf.put(OFFSET + 2 * index, (byte) value);
        buf.put(OFFSET + 2 * index + 1, (byte) (value >>> 8));
    }

    /** Stores an ATA string: the second character of each pair in the lower byte's place. */
    private void string(int firstWord, String text) {
        for (int i = 0; i < text.length(); i++) {
            buf.put(OFFSET + 2 * firstWord + (i ^ 1), (byte) text.charAt(i));
        }
    }

    private void modernDisk() {
        string(10, "  S3Z1NB0K123456     "); // 20 characters: words 10-19
        string(23, "RVT0 4B6");              // words 23-26
        string(27, "Samsung SSD 860 EVO 4TB                 "); // words 27-46
        word(60, 0xFFFF);                     // LBA28 capacity 0x0FFFFFFF
        word(61, 0x0FFF);
        word(75, 31);                         // queue depth 32
        word(76, 0x0106);                     // NCQ, Gen1, Gen2
        word(82, 0x0021);                     // write cache, SMART supported
        word(83, 0x6400);                     // valid, FLUSH CACHE EXT, LBA48
        word(85, 0x0020);                     // write cache enabled, SMART disabled
        word(100, 0xBEB0);                    // 7814037168 sectors = 0x1_D1C0_BEB0
        word(101, 0xD1C0);
        word(102, 0x0001);
        word(106, 0x6003);                    // valid, 8 logical per physical
        word(169, 0x0001);                    // TRIM
    }

    @Test
    void forcedUnitAccessNeedsBit6OfAValidWord84() {
        modernDisk();
        assertFalse(IdentifyData.parse(buf, OFFSET).fua(), "word 84 is zero");
        word(84, 0x0040);
        assertFalse(IdentifyData.parse(buf, OFFSET).fua(), "bit 6 without the 01 validity pattern");
        word(84, 0x4040);
        assertTrue(IdentifyData.parse(buf, OFFSET).fua());
    }

    @Test
    void parsesAModernDisk() {
        modernDisk();
        IdentifyData id = IdentifyData.parse(buf, OFFSET);
        assertEquals("Samsung SSD 860 EVO 4TB", id.model());
        assertEquals("S3Z1NB0K123456", id.serial());
        assertEquals("RVT0 4B6", id.firmware());
        assertTrue(id.lba48());
        assertEquals(0x0FFF_FFFFL, id.lba28Sectors());
        assertEquals(7_814_037_168L, id.lba48Sectors());
        assertEquals(7_814_037_168L, id.sectors());
        assertEquals(512, id.logicalSectorSize());
        assertEquals(4096, id.physicalSectorSize());
        assertEquals(4_000_787_030_016L, id.capacityBytes());
        assertTrue(id.ncq());
        assertEquals(32, id.ncqDepth());
        assertTrue(id.trim());
        assertTrue(id.writeCacheSupported());
        assertTrue(id.writeCacheEnabled());
        assertTrue(id.smartSupported());
        assertFalse(id.smartEnabled());
        assertTrue(id.flushCacheExt());
        assertEquals(0x6400, id.word(83));
        assertEquals(0x5361, id.word(27)); // 'S' 'a'
        assertTrue(id.toString().contains("model=Samsung SSD 860 EVO 4TB"), id.toString());
        assertTrue(id.toString().contains("ncqDepth=32"), id.toString());
    }

    @Test
    void parseCopiesTheData() {
        modernDisk();
        IdentifyData id = IdentifyData.parse(buf, OFFSET);
        word(83, 0);
        assertTrue(id.lba48());
    }

    @Test
    void withoutLba48TheLba28CapacityCounts() {
        word(60, 0x5678);
        word(61, 0x0234);       // 0x02345678 sectors
        word(83, 0x4000);       // valid, no LBA48
        word(100, 0x1111);      // ignored
        word(102, 0x0001);
        word(76, 0xFFFF);       // not reported: no NCQ
        word(75, 31);
        IdentifyData id = IdentifyData.parse(buf, OFFSET);
        assertFalse(id.lba48());
        assertFalse(id.flushCacheExt());
        assertEquals(0x0234_5678L, id.sectors());
        assertEquals(0x0234_5678L * 512, id.capacityBytes());
        assertFalse(id.ncq());
        assertEquals(0, id.ncqDepth());
        assertFalse(id.trim());
        assertEquals(512, id.logicalSectorSize());
        assertEquals(512, id.physicalSectorSize());
        assertEquals("", id.model());
    }

    @Test
    void word83BitsAreIgnoredUnlessTheWordIsValid() {
        word(83, 0x2400);       // bits 15:14 = 00b
        word(100, 0x1000);
        word(60, 0x0100);
        assertFalse(IdentifyData.parse(buf, OFFSET).lba48());
        assertFalse(IdentifyData.parse(buf, OFFSET).flushCacheExt());
        assertEquals(0x100, IdentifyData.parse(buf, OFFSET).sectors());
        word(83, 0xE400);       // bits 15:14 = 11b
        assertFalse(IdentifyData.parse(buf, OFFSET).lba48());
    }

    @Test
    void longLogicalSectors() {
        word(106, 0x5000);      // valid, logical sector longer than 256 words
        word(117, 2048);        // in words
        word(118, 0);
        IdentifyData id = IdentifyData.parse(buf, OFFSET);
        assertEquals(4096, id.logicalSectorSize());
        assertEquals(4096, id.physicalSectorSize());
    }

    @Test
    void word106IsIgnoredUnlessValid() {
        word(106, 0x2003);      // bits 15:14 = 00b
        assertEquals(512, IdentifyData.parse(buf, OFFSET).physicalSectorSize());
    }

    @Test
    void rejectsShortBuffersAndBadWordIndexes() {
        assertThrows(IllegalArgumentException.class, () -> IdentifyData.parse(buf, OFFSET + 1));
        IdentifyData id = IdentifyData.parse(buf, OFFSET);
        assertThrows(IllegalArgumentException.class, () -> id.word(256));
    }

    @Test
    void trimLimitsAndZeroesAfterTrimFromWords105And69() {
        IdentifyData none = IdentifyData.parse(buf, OFFSET);
        assertEquals(1, none.trimMaxBlocks(), "word 105 = 0 is taken as one block");
        assertFalse(none.trimReadsZeroes());
        word(105, 8);
        word(69, 1 << 14);      // DRAT only: deterministic, but not necessarily zeroes
        IdentifyData drat = IdentifyData.parse(buf, OFFSET);
        assertEquals(8, drat.trimMaxBlocks());
        assertFalse(drat.trimReadsZeroes());
        word(69, (1 << 14) | (1 << 5));
        assertTrue(IdentifyData.parse(buf, OFFSET).trimReadsZeroes(), "DRAT and RZAT");
    }
}
