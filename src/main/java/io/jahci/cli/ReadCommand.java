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
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

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

    @Option(names = "--out", required = true, paramLabel = "FILE|-", description = "File to write, created or replaced "
            + "only when every sector was read (with the umask's permissions); '-' writes the sectors to stdout.")
    OptionTypes.OutputFile out;

    @Override
    public Integer call() throws Exception {
        range.checkCount();
        try (Controller controller = main.open(false)) {
            if (out.path() == null) {
                WritableByteChannel stdout = Channels.newChannel(System.out);
                read(controller, stdout);
                System.out.flush();
                return 0;
            }
            Path partial = out.path().resolveSibling("." + out.path().getFileName() + "."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".part");
            try (FileChannel file = FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                read(controller, file);
                file.force(false);
            } catch (Exception e) {
                Files.deleteIfExists(partial);
                throw e;
            }
            Files.move(partial, out.path(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return 0;
    }

    private void read(Controller controller, WritableByteChannel file) throws Exception {
        if (controller.hasCdDrive(range.port)) {
            readCd(controller.cdDrive(range.port), file);
        } else {
            readDisk(controller.disk(range.port), file);
        }
    }

    private void readDisk(Disk disk, WritableByteChannel file) throws Exception {
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
    private void readCd(CdDrive cd, WritableByteChannel file) throws Exception {
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

    private static void write(WritableByteChannel file, ByteBuffer buffer) throws java.io.IOException {
        while (buffer.hasRemaining()) {
            file.write(buffer);
        }
    }
}
