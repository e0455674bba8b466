package io.jahci.cli;

import io.jahci.disk.Controller;
import io.jahci.disk.Disk;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;

/** {@code jahci read}: sectors from a disk into a file. */
@Command(name = "read", mixinStandardHelpOptions = true,
        description = "Read COUNT logical sectors starting at LBA from the disk on PORT into FILE.")
final class ReadCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Mixin
    SectorRange range;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "File to write; created or replaced only when every sector was read.")
    Path out;

    @Override
    public Integer call() throws Exception {
        range.checkCount();
        try (Controller controller = main.open(false)) {
            Disk disk = controller.disk(range.port);
            range.checkFits(disk);
            Path absolute = out.toAbsolutePath();
            Path partial = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName() + ".", ".part");
            try (FileChannel file = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = SectorRange.chunkBuffer(disk);
                for (long done = 0; done < range.count; ) {
                    int sectors = range.nextChunk(buffer, done, disk.sectorSize());
                    disk.read(range.lba + done, buffer);
                    while (buffer.hasRemaining()) {
                        file.write(buffer);
                    }
                    done += sectors;
                }
                file.force(false);
            } catch (Exception e) {
                Files.deleteIfExists(partial);
                throw e;
            }
            Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return 0;
    }
}
