package io.jahci.cli;

import io.jahci.disk.Controller;
import io.jahci.disk.Disk;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;

/** {@code jahci write}: sectors from a file onto a disk; refuses without --allow-write. */
@Command(name = "write", mixinStandardHelpOptions = true,
        description = "Write COUNT logical sectors from FILE to the disk on PORT starting at LBA, then flush. "
                + "Needs --allow-write.")
final class WriteCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--port", required = true, paramLabel = "N", description = "Port of the disk.")
    int port;

    @Option(names = "--lba", required = true, paramLabel = "L", description = "First logical sector.")
    long lba;

    @Option(names = "--count", required = true, paramLabel = "C", description = "Number of logical sectors.")
    long count;

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "File holding at least COUNT sectors.")
    Path in;

    @Option(names = "--allow-write", description = "Confirm that the disk may be written.")
    boolean allowWrite;

    @Override
    public Integer call() throws Exception {
        if (!allowWrite) {
            throw new Main.UsageException("refusing to write without --allow-write: this overwrites "
                    + count + " sectors at LBA " + lba + " on port " + port + " of " + main.device);
        }
        Transfer.checkCount(count);
        if (!Files.isReadable(in)) {
            throw new Main.UsageException("input file " + in + " does not exist or is not readable");
        }
        try (Controller controller = main.open(true)) {
            Disk disk = controller.disk(port);
            Transfer.checkRange(disk, lba, count);
            long needed = count * disk.sectorSize();
            long available = Files.size(in);
            if (available < needed) {
                throw new Main.UsageException("input file " + in + " has " + available + " bytes; --count " + count
                        + " needs " + needed + " (" + count + " x " + disk.sectorSize() + "-byte sectors); nothing was written");
            }
            try (FileChannel file = FileChannel.open(in, StandardOpenOption.READ)) {
                ByteBuffer buffer = Transfer.chunkBuffer(disk);
                for (long done = 0; done < count; ) {
                    int sectors = (int) Math.min(count - done, buffer.capacity() / disk.sectorSize());
                    buffer.clear().limit(sectors * disk.sectorSize());
                    while (buffer.hasRemaining()) {
                        file.read(buffer);
                    }
                    buffer.flip();
                    disk.write(lba + done, buffer);
                    done += sectors;
                }
            }
            disk.flush();
        }
        return 0;
    }
}
