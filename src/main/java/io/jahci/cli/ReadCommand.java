package io.jahci.cli;

import io.jahci.disk.Controller;
import io.jahci.disk.Disk;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;

/** {@code jahci read}: sectors from a disk into a file. */
@Command(name = "read", mixinStandardHelpOptions = true,
        description = "Read COUNT logical sectors starting at LBA from the disk on PORT into FILE.")
final class ReadCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--port", required = true, paramLabel = "N", description = "Port of the disk.")
    int port;

    @Option(names = "--lba", required = true, paramLabel = "L", description = "First logical sector.")
    long lba;

    @Option(names = "--count", required = true, paramLabel = "C", description = "Number of logical sectors.")
    long count;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "File to write (created or replaced).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Transfer.checkCount(count);
        try (Controller controller = main.open(false)) {
            Disk disk = controller.disk(port);
            Transfer.checkRange(disk, lba, count);
            try (FileChannel file = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = Transfer.chunkBuffer(disk);
                for (long done = 0; done < count; ) {
                    int sectors = (int) Math.min(count - done, buffer.capacity() / disk.sectorSize());
                    buffer.clear().limit(sectors * disk.sectorSize());
                    disk.read(lba + done, buffer);
                    while (buffer.hasRemaining()) {
                        file.write(buffer);
                    }
                    done += sectors;
                }
            }
        }
        return 0;
    }
}
