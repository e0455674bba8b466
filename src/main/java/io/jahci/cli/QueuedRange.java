package io.jahci.cli;

import io.jahci.disk.Disk;
import picocli.CommandLine.Option;

/** The options scan and verify share: a port, a range that defaults to the whole disk, a queue depth. */
final class QueuedRange {
    @Option(names = "--port", required = true, paramLabel = "N", description = "Port of the disk.")
    int port;

    @Option(names = "--lba", paramLabel = "L", defaultValue = "0", description = "First sector (default 0).")
    long lba;

    @Option(names = "--count", paramLabel = "C", description = "Sectors (default: to the end of the disk).")
    Long count;

    @Option(names = "--qd", paramLabel = "N", defaultValue = "32", description = "Commands in flight, 1..32 (default ${DEFAULT-VALUE}).")
    int queueDepth;

    void checkQueueDepth() throws Main.UsageException {
        if (queueDepth < 1 || queueDepth > 32) {
            throw new Main.UsageException("--qd must be 1..32, not " + queueDepth);
        }
    }

    /** The number of sectors, checked against the disk. */
    long sectors(Disk disk) throws Main.UsageException {
        long sectors = count == null ? disk.sectors() - lba : count;
        SectorRange.check(disk, lba, sectors);
        return sectors;
    }
}
