package io.jahci.cli;

import io.jahci.disk.Disk;

import java.nio.ByteBuffer;

/** What read and write share: argument checks and the chunk buffer they stream through. */
final class Transfer {
    /** Bytes moved per Disk call when streaming a file. */
    static final int CHUNK_BYTES = 8 * 1024 * 1024;

    private Transfer() {}

    static void checkCount(long count) throws Main.UsageException {
        if (count <= 0) {
            throw new Main.UsageException("--count must be at least 1, not " + count);
        }
    }

    /** Rejects a range past the end before any sector moves. */
    static void checkRange(Disk disk, long lba, long count) throws Main.UsageException {
        if (lba < 0 || lba >= disk.sectors() || count > disk.sectors() - lba) {
            throw new Main.UsageException("LBA range " + lba + ".." + (lba + count - 1) + " is outside the disk on port "
                    + disk.port() + ", which has " + disk.sectors() + " sectors (LBA 0.." + (disk.sectors() - 1)
                    + "); nothing was transferred");
        }
    }

    static ByteBuffer chunkBuffer(Disk disk) {
        return ByteBuffer.allocateDirect(CHUNK_BYTES - CHUNK_BYTES % disk.sectorSize());
    }
}
