package io.jahci.cli;

import io.jahci.disk.Disk;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.ByteBuffer;

/** The {@code --port --lba --count} options that read and write share, and their checks. */
final class SectorRange {
    /** Bytes moved per Disk call when streaming a file. */
    static final int CHUNK_BYTES = 8 * 1024 * 1024;

    @Option(names = "--port", required = true, paramLabel = "N", description = "Port of the disk.")
    int port;

    @Option(names = "--lba", required = true, paramLabel = "L", description = "First logical sector.")
    long lba;

    @Option(names = "--count", required = true, paramLabel = "C", description = "Number of logical sectors.")
    long count;

    void checkCount() throws Main.UsageException {
        if (count <= 0) {
            throw new Main.UsageException("--count must be at least 1, not " + count);
        }
    }

    /** Rejects a range past the end before any sector moves. */
    void checkFits(Disk disk) throws Main.UsageException {
        check(disk, lba, count);
    }

    /** Rejects a range past the end of a device of {@code sectors} sectors, named {@code what}. */
    void checkFits(long sectors, String what) throws Main.UsageException {
        check(sectors, lba, count, what);
    }

    /** Rejects {@code count} sectors from {@code lba} unless they lie on the disk. */
    static void check(Disk disk, long lba, long count) throws Main.UsageException {
        check(disk.sectors(), lba, count, "the disk on port " + disk.port());
    }

    private static void check(long sectors, long lba, long count, String what) throws Main.UsageException {
        if (count <= 0) {
            throw new Main.UsageException("the range must hold at least one sector, not " + count);
        }
        if (lba < 0 || lba >= sectors || count > sectors - lba) {
            throw new Main.UsageException("LBA range " + lba + ".." + (lba + count - 1) + " is outside " + what
                    + ", which has " + sectors + " sectors (LBA 0.." + (sectors - 1) + "); nothing was transferred");
        }
    }

    /** A direct buffer of whole sectors that files are streamed through. */
    static ByteBuffer chunkBuffer(int sectorSize) {
        return ByteBuffer.allocateDirect(CHUNK_BYTES - CHUNK_BYTES % sectorSize);
    }

    /** Progress of moving the range ({@code verb}: read, wrote) in units of {@code unitBytes}, on {@code err}. */
    Progress progress(PrintWriter err, String verb, int unitBytes) {
        long first = lba;
        return new Progress(err, (done, total, extra) -> String.format("%s %d/%d sectors (%d%%) from LBA %d", verb, done,
                total, Progress.percent(done, total), first), Progress.megabytes(unitBytes));
    }

    /** Sectors in the next chunk after {@code done}; limits {@code buffer} to them. */
    int nextChunk(ByteBuffer buffer, long done, int sectorSize) {
        int sectors = (int) Math.min(count - done, buffer.capacity() / sectorSize);
        buffer.clear().limit(sectors * sectorSize);
        return sectors;
    }
}
