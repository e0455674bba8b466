package io.jahci.ahci;

import java.nio.ByteBuffer;

/**
 * The NCQ Command Error log, general purpose log 10h (ACS-3 §9.13, read with READ LOG EXT): after
 * an NCQ error it names the failing command's tag and what the device said about it.
 *
 * <pre>
 * byte 0: bit 7 NQ (the error was on a non-queued command), bits 4:0 the NCQ tag
 * byte 2: status   byte 3: error   bytes 4-6, 8-10: LBA 7:0 .. 47:40   bytes 12-13: count
 * </pre>
 *
 * @param nonQueued the failing command was not an NCQ command (the tag means nothing then)
 */
public record NcqErrorLog(boolean nonQueued, int tag, int status, int error, long lba, int count) {
    /** GPL address of the log (ACS-3 Table A.2). */
    public static final int LOG_ADDRESS = 0x10;

    /** Parses the 512-byte log page at {@code offset}. */
    public static NcqErrorLog parse(ByteBuffer page, int offset) {
        int b0 = page.get(offset) & 0xFF;
        long lba = 0;
        int[] lbaBytes = {4, 5, 6, 8, 9, 10};
        for (int i = lbaBytes.length - 1; i >= 0; i--) {
            lba = lba << 8 | (page.get(offset + lbaBytes[i]) & 0xFF);
        }
        int count = (page.get(offset + 12) & 0xFF) | (page.get(offset + 13) & 0xFF) << 8;
        return new NcqErrorLog((b0 & 0x80) != 0, b0 & 0x1F, page.get(offset + 2) & 0xFF, page.get(offset + 3) & 0xFF,
                lba, count);
    }
}
