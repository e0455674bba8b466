package io.jahci.ahci;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The data of DATA SET MANAGEMENT with TRIM (ACS-3 §7.5.3.2, "LBA Range Entry"): 512-byte blocks
 * of 64 entries, each 8 bytes little-endian, LBA in bits 47:0 and the range's length in sectors in
 * bits 63:48; an entry of length 0 is unused. Pure; allocates nothing.
 */
public final class LbaRangeEntries {
    public static final int BLOCK_BYTES = 512;
    public static final int ENTRY_BYTES = 8;
    public static final int ENTRIES_PER_BLOCK = BLOCK_BYTES / ENTRY_BYTES;
    /** The longest range one entry describes. */
    public static final int MAX_RANGE_SECTORS = 0xFFFF;

    private LbaRangeEntries() {}

    /** How many 512-byte blocks describe {@code sectors} sectors, at most {@code maxBlocks}. */
    public static int blocksFor(long sectors, int maxBlocks) {
        long entries = (sectors + MAX_RANGE_SECTORS - 1) / MAX_RANGE_SECTORS;
        return (int) Math.min(maxBlocks, Math.max(1, (entries + ENTRIES_PER_BLOCK - 1) / ENTRIES_PER_BLOCK));
    }

    /**
     * Writes {@code blocks} blocks at index 0 of {@code buf} describing as much as fits of the
     * {@code sectors} sectors from {@code lba}, zero-filling the unused entries.
     *
     * @return how many sectors the entries cover
     */
    public static long encode(ByteBuffer buf, int blocks, long lba, long sectors) {
        Checks.inRange("lba", lba, 0, RegisterH2DFis.MAX_LBA48);
        long covered = 0;
        for (int i = 0; i < blocks * ENTRIES_PER_BLOCK; i++) {
            long length = Math.min(MAX_RANGE_SECTORS, sectors - covered);
            long entry = length <= 0 ? 0 : (length << 48) | (lba + covered);
            buf.putLong(i * ENTRY_BYTES, buf.order() == ByteOrder.LITTLE_ENDIAN ? entry : Long.reverseBytes(entry));
            covered += Math.max(0, length);
        }
        return covered;
    }
}
