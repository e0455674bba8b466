package io.jahci.ahci;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The 512-byte data of IDENTIFY DEVICE (ACS-3 §7.12.7): 256 little-endian words. {@link #parse}
 * copies the words, so the DMA buffer can be reused afterwards.
 */
public final class IdentifyData {
    /** Size of the IDENTIFY DEVICE data. */
    public static final int SIZE = 512;
    /** Number of words. */
    public static final int WORDS = SIZE / 2;

    private static final int DEFAULT_SECTOR_SIZE = 512;

    // ACS-3 §7.12.7: word numbers
    private static final int SERIAL_FIRST = 10;
    private static final int SERIAL_WORDS = 10;
    private static final int FIRMWARE_FIRST = 23;
    private static final int FIRMWARE_WORDS = 4;
    private static final int MODEL_FIRST = 27;
    private static final int MODEL_WORDS = 20;
    private static final int LBA28_SECTORS = 60; // words 60-61
    private static final int QUEUE_DEPTH = 75;
    private static final int MAJOR_VERSION = 80;
    private static final int SATA_CAPABILITIES = 76;
    private static final int COMMAND_SET_82 = 82;
    private static final int COMMAND_SET_83 = 83;
    private static final int COMMAND_SET_84 = 84;
    private static final int COMMAND_SET_ENABLED_85 = 85;
    private static final int LBA48_SECTORS = 100; // words 100-103
    private static final int SECTOR_SIZE = 106;
    private static final int LOGICAL_SECTOR_WORDS = 117; // words 117-118
    private static final int DATA_SET_MANAGEMENT = 169;
    private static final int ADDITIONAL_SUPPORTED = 69;
    private static final int DSM_MAX_BLOCKS = 105;

    /** Word 75: maximum queue depth minus one. */
    private static final BitField QUEUE_DEPTH_MINUS_ONE = new BitField("QUEUE_DEPTH", 0, 5);
    /** Word 76: the NCQ feature set is supported. */
    private static final BitField NCQ = new BitField("NCQ", 8, 1);
    /** Words 82 and 85: SMART feature set supported / enabled. */
    private static final BitField SMART = new BitField("SMART", 0, 1);
    /** Words 82 and 85: volatile write cache supported / enabled. */
    private static final BitField WRITE_CACHE = new BitField("WRITE_CACHE", 5, 1);
    /** Word 83 and 106: bits 15:14 are 01b when the word is valid. */
    private static final BitField VALIDITY = new BitField("VALIDITY", 14, 2);
    private static final int VALID = 0b01;
    /** Word 83: FLUSH CACHE EXT supported. */
    private static final BitField FLUSH_CACHE_EXT = new BitField("FLUSH_CACHE_EXT", 13, 1);
    /** Word 83: 48-bit address feature set supported. */
    private static final BitField LBA48 = new BitField("LBA48", 10, 1);
    private static final BitField FUA_EXT = new BitField("WRITE_DMA_FUA_EXT", 6, 1);
    /** Word 106: the device has several logical sectors per physical sector. */
    private static final BitField MULTIPLE_LOGICAL_PER_PHYSICAL = new BitField("MULTIPLE", 13, 1);
    /** Word 106: logical sectors are longer than 256 words (words 117-118 give the size). */
    private static final BitField LONG_LOGICAL_SECTOR = new BitField("LONG_LOGICAL", 12, 1);
    /** Word 106: log2 of logical sectors per physical sector. */
    private static final BitField LOGICAL_PER_PHYSICAL_LOG2 = new BitField("LOG2", 0, 4);
    /** Word 169: TRIM bit of DATA SET MANAGEMENT supported. */
    private static final BitField TRIM = new BitField("TRIM", 0, 1);
    /** Word 69: deterministic read after TRIM (DRAT). */
    private static final BitField DRAT = new BitField("DRAT", 14, 1);
    /** Word 69: read zeroes after TRIM (RZAT). */
    private static final BitField RZAT = new BitField("RZAT", 5, 1);

    private final int[] words;

    private IdentifyData(int[] words) {
        this.words = words;
    }

    /** Copies the 512 bytes at {@code offset}; the buffer's byte order does not matter. */
    public static IdentifyData parse(ByteBuffer buf, int offset) {
        Checks.inRange("offset", offset, 0, buf.limit() - SIZE);
        int[] words = new int[WORDS];
        for (int i = 0; i < WORDS; i++) {
            words[i] = (buf.get(offset + 2 * i) & 0xFF) | (buf.get(offset + 2 * i + 1) & 0xFF) << 8;
        }
        return new IdentifyData(words);
    }

    /** Word {@code index}, 0..255, as an unsigned 16-bit value. */
    public int word(int index) {
        Checks.inRange("word index", index, 0, WORDS - 1);
        return words[index];
    }

    /** Model number, words 27-46. */
    public String model() {
        return string(MODEL_FIRST, MODEL_WORDS);
    }

    /** Serial number, words 10-19. */
    public String serial() {
        return string(SERIAL_FIRST, SERIAL_WORDS);
    }

    /** Firmware revision, words 23-26. */
    public String firmware() {
        return string(FIRMWARE_FIRST, FIRMWARE_WORDS);
    }

    /** The 48-bit address feature set is supported (word 83 bit 10, word 83 valid). */
    public boolean lba48() {
        return word83Valid() && LBA48.isSet(words[COMMAND_SET_83]);
    }

    /** Number of user addressable sectors for 28-bit commands, words 60-61. */
    public long lba28Sectors() {
        return unsigned(LBA28_SECTORS, 2);
    }

    /** Number of user addressable sectors for 48-bit commands, words 100-103. */
    public long lba48Sectors() {
        return unsigned(LBA48_SECTORS, 4);
    }

    /** Number of user addressable logical sectors, by the address size the device supports. */
    public long sectors() {
        return lba48() ? lba48Sectors() : lba28Sectors();
    }

    /** Bytes per logical sector: words 117-118 (in words) if word 106 says so, else 512. */
    public int logicalSectorSize() {
        if (word106Valid() && LONG_LOGICAL_SECTOR.isSet(words[SECTOR_SIZE])) {
            return (int) (2 * unsigned(LOGICAL_SECTOR_WORDS, 2));
        }
        return DEFAULT_SECTOR_SIZE;
    }

    /** Bytes per physical sector: the logical size times 2^(word 106 bits 3:0) if word 106 says so. */
    public int physicalSectorSize() {
        int word106 = words[SECTOR_SIZE];
        if (word106Valid() && MULTIPLE_LOGICAL_PER_PHYSICAL.isSet(word106)) {
            return logicalSectorSize() << LOGICAL_PER_PHYSICAL_LOG2.get(word106);
        }
        return logicalSectorSize();
    }

    /** The NCQ feature set is supported (word 76 bit 8; word 76 neither 0000h nor FFFFh). */
    public boolean ncq() {
        int word76 = words[SATA_CAPABILITIES];
        return word76 != 0 && word76 != 0xFFFF && NCQ.isSet(word76);
    }

    /** Maximum NCQ queue depth (word 75 bits 4:0 plus one), 0 if NCQ is unsupported. */
    public int ncqDepth() {
        return ncq() ? QUEUE_DEPTH_MINUS_ONE.get(words[QUEUE_DEPTH]) + 1 : 0;
    }

    /** DATA SET MANAGEMENT with the TRIM bit is supported (word 169 bit 0). */
    public boolean trim() {
        return TRIM.isSet(words[DATA_SET_MANAGEMENT]);
    }

    /**
     * How many 512-byte blocks of LBA range entries one DATA SET MANAGEMENT command takes (word
     * 105); a device that reports 0 is taken at 1, the least any TRIM device accepts.
     */
    public int trimMaxBlocks() {
        return Math.max(1, words[DSM_MAX_BLOCKS]);
    }

    /** Trimmed sectors read back as zeroes: DRAT and RZAT (word 69 bits 14 and 5). */
    public boolean trimReadsZeroes() {
        int word69 = words[ADDITIONAL_SUPPORTED];
        return DRAT.isSet(word69) && RZAT.isSet(word69);
    }

    /** A volatile write cache is supported (word 82 bit 5). */
    public boolean writeCacheSupported() {
        return WRITE_CACHE.isSet(words[COMMAND_SET_82]);
    }

    /** The volatile write cache is enabled (word 85 bit 5). */
    public boolean writeCacheEnabled() {
        return WRITE_CACHE.isSet(words[COMMAND_SET_ENABLED_85]);
    }

    /** The SMART feature set is supported (word 82 bit 0). */
    public boolean smartSupported() {
        return SMART.isSet(words[COMMAND_SET_82]);
    }

    /** The SMART feature set is enabled (word 85 bit 0). */
    public boolean smartEnabled() {
        return SMART.isSet(words[COMMAND_SET_ENABLED_85]);
    }

    /** FLUSH CACHE EXT is supported (word 83 bit 13, word 83 valid). */
    public boolean flushCacheExt() {
        return word83Valid() && FLUSH_CACHE_EXT.isSet(words[COMMAND_SET_83]);
    }

    /**
     * The major versions word 80 claims, as its bit numbers, highest first (4-7 are ATA/ATAPI-4..7,
     * 8 ATA8-ACS, 9 ACS-2, 10 ACS-3, 11 ACS-4); empty when the word is 0000h or FFFFh (not reported).
     */
    public List<Integer> majorVersions() {
        int word80 = words[MAJOR_VERSION];
        List<Integer> versions = new ArrayList<>();
        if (word80 == 0 || word80 == 0xFFFF) {
            return versions;
        }
        for (int bit = 14; bit >= 1; bit--) {
            if ((word80 & 1 << bit) != 0) {
                versions.add(bit);
            }
        }
        return versions;
    }

    /** Capacity in bytes: {@link #sectors()} times {@link #logicalSectorSize()}. */
    public long capacityBytes() {
        return sectors() * logicalSectorSize();
    }

    @Override
    public String toString() {
        return "IdentifyData[model=" + model() + ", serial=" + serial() + ", firmware=" + firmware()
                + ", sectors=" + sectors() + ", logical=" + logicalSectorSize()
                + ", physical=" + physicalSectorSize() + ", lba48=" + lba48()
                + ", ncqDepth=" + ncqDepth() + ", trim=" + trim()
                + ", writeCache=" + writeCacheEnabled() + "]";
    }

    /** WRITE DMA FUA EXT and the FUA bit of WRITE FPDMA QUEUED are supported (word 84 bit 6). */
    public boolean fua() {
        return VALIDITY.get(words[COMMAND_SET_84]) == VALID && FUA_EXT.isSet(words[COMMAND_SET_84]);
    }

    private boolean word83Valid() {
        return VALIDITY.get(words[COMMAND_SET_83]) == VALID;
    }

    private boolean word106Valid() {
        return VALIDITY.get(words[SECTOR_SIZE]) == VALID;
    }

    /** ATA string (ACS-3 conventions): each word holds two characters, the first in bits 15:8. */
    private String string(int first, int count) {
        char[] chars = new char[2 * count];
        for (int i = 0; i < count; i++) {
            int word = words[first + i];
            chars[2 * i] = (char) (word >>> 8);
            chars[2 * i + 1] = (char) (word & 0xFF);
        }
        return new String(chars).trim();
    }

    /** Words {@code first}..{@code first + count - 1} as one little-endian unsigned number. */
    private long unsigned(int first, int count) {
        long value = 0;
        for (int i = count - 1; i >= 0; i--) {
            value = value << 16 | words[first + i];
        }
        return value;
    }
}
