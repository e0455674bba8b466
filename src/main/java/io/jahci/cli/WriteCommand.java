package io.jahci.cli;

import io.jahci.disk.Controller;
import io.jahci.disk.Disk;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

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

    @Spec
    CommandSpec spec;

    @Mixin
    SectorRange range;

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "File holding at least COUNT sectors.")
    Path in;

    @Option(names = "--allow-write", description = "Confirm that the disk may be written.")
    boolean allowWrite;

    @Override
    public Integer call() throws Exception {
        if (!allowWrite) {
            throw new Main.UsageException("refusing to write without --allow-write: this overwrites "
                    + range.count + " sectors at LBA " + range.lba + " on port " + range.port + " of " + main.device());
        }
        range.checkCount();
        if (!Files.isReadable(in)) {
            throw new Main.UsageException("input file " + in + " does not exist or is not readable");
        }
        try (Controller controller = main.open(true)) {
            Disk disk = controller.disk(range.port);
            range.checkFits(disk);
            long needed = range.count * disk.sectorSize();
            long available = Files.size(in);
            if (available < needed) {
                throw new Main.UsageException("input file " + in + " has " + available + " bytes; --count " + range.count
                        + " needs " + needed + " (" + range.count + " x " + disk.sectorSize() + "-byte sectors); nothing was written");
            }
            try (FileChannel file = FileChannel.open(in, StandardOpenOption.READ)) {
                ByteBuffer buffer = SectorRange.chunkBuffer(disk.sectorSize());
                Progress progress = range.progress(spec.commandLine().getErr(), "wrote", disk.sectorSize());
                for (long done = 0; done < range.count; ) {
                    int sectors = range.nextChunk(buffer, done, disk.sectorSize());
                    while (buffer.hasRemaining()) {
                        file.read(buffer);
                    }
                    buffer.flip();
                    disk.write(range.lba + done, buffer);
                    done += sectors;
                    progress.update(done, range.count, 0);
                }
                progress.done();
            }
            disk.flush();
        }
        return 0;
    }
}
