package io.jahci.cli;

import io.jahci.disk.CdDrive;
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
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;

/** {@code jahci read}: sectors from a disk into a file. */
@Command(name = "read", mixinStandardHelpOptions = true,
        description = "Read COUNT logical sectors starting at LBA from the disk on PORT into FILE; from a CD/DVD "
                + "drive, COUNT 2048-byte blocks.")
final class ReadCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    SectorRange range;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "File to write; created or replaced only when every sector was read.")
    Path out;

    @Override
    public Integer call() throws Exception {
        range.checkCount();
        try (Controller controller = main.open(false)) {
            Path absolute = out.toAbsolutePath();
            Path partial = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName() + ".", ".part");
            try (FileChannel file = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                if (controller.hasCdDrive(range.port)) {
                    readCd(controller.cdDrive(range.port), file);
                } else {
                    readDisk(controller.disk(range.port), file);
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

    private void readDisk(Disk disk, FileChannel file) throws Exception {
        range.checkFits(disk);
        ByteBuffer buffer = SectorRange.chunkBuffer(disk.sectorSize());
        Progress progress = range.progress(spec.commandLine().getErr(), "read", disk.sectorSize());
        for (long done = 0; done < range.count; ) {
            int sectors = range.nextChunk(buffer, done, disk.sectorSize());
            disk.read(range.lba + done, buffer);
            write(file, buffer.flip());
            done += sectors;
            progress.update(done, range.count, 0);
        }
        progress.done();
    }

    /** A CD/DVD: the same, in 2048-byte blocks. */
    private void readCd(CdDrive cd, FileChannel file) throws Exception {
        range.checkFits(cd.blocks(), "the disc in the CD/DVD drive on port " + range.port);
        ByteBuffer buffer = SectorRange.chunkBuffer(CdDrive.BLOCK);
        Progress progress = range.progress(spec.commandLine().getErr(), "read", CdDrive.BLOCK);
        for (long done = 0; done < range.count; ) {
            int blocks = range.nextChunk(buffer, done, CdDrive.BLOCK);
            cd.read(range.lba + done, buffer);
            write(file, buffer.flip());
            done += blocks;
            progress.update(done, range.count, 0);
        }
        progress.done();
    }

    private static void write(FileChannel file, ByteBuffer buffer) throws java.io.IOException {
        while (buffer.hasRemaining()) {
            file.write(buffer);
        }
    }
}
