package io.jahci.cli;

import io.jahci.disk.Disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * The original contents of sectors a command overwrites for a while ({@code demo}): read from the disk, kept in
 * memory and in a file (mode 0600, fsynced) before anything is written, and put back by {@link #restore}, which
 * deletes the file only once the sectors read back identical. While the file exists, {@link #restoreCommand} is
 * what puts them back by hand (after a SIGKILL, a power loss, a failed restore). All methods run on the command's
 * thread (PASSIVE).
 */
final class SavedSectors {
    private final Disk disk;
    private final long lba;
    private final ByteBuffer original;
    private final Path file;
    private final String device;

    private SavedSectors(Disk disk, long lba, ByteBuffer original, Path file, String device) {
        this.disk = disk;
        this.lba = lba;
        this.original = original;
        this.file = file;
        this.device = device;
    }

    /**
     * Where {@code demo} saves the sectors at {@code lba} of {@code port} on {@code device} unless told:
     * {@code $XDG_STATE_HOME/jahci/} when that is set, else {@code /var/tmp/} (kept across reboots), named
     * {@code jahci-demo-HASH-portN-lbaL.bin} with HASH the first 8 hex digits of SHA-256 of the device spec.
     */
    static Path defaultFile(String device, int port, long lba) {
        String stateHome = System.getenv("XDG_STATE_HOME");
        Path dir = stateHome == null || stateHome.isEmpty() ? Path.of("/var/tmp") : Path.of(stateHome, "jahci");
        return dir.resolve("jahci-demo-" + hash(device) + "-port" + port + "-lba" + lba + ".bin");
    }

    private static String hash(String device) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(device.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Reads {@code sectors} sectors at {@code lba} and writes them to {@code file}, which must not exist yet (an
     * existing one may hold the only copy of sectors a killed run did not put back: it is never overwritten).
     * Nothing is written to the disk.
     */
    static SavedSectors save(Disk disk, long lba, int sectors, Path file, String device)
            throws IOException, Main.UsageException {
        ByteBuffer original = ByteBuffer.allocate(sectors * disk.sectorSize());
        disk.read(lba, original.duplicate());
        SavedSectors saved = new SavedSectors(disk, lba, original, file, device);
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        try (FileChannel out = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer data = original.duplicate();
            while (data.hasRemaining()) {
                out.write(data);
            }
            out.force(true);
        } catch (FileAlreadyExistsException e) {
            throw new Main.UsageException(file + " already exists: an earlier demo may not have put back the sectors "
                    + "it saved there. Put them back with `" + saved.restoreCommand() + "` and delete it, or name "
                    + "another file with --save FILE; nothing was written");
        }
        return saved;
    }

    Path file() {
        return file;
    }

    long lba() {
        return lba;
    }

    int sectors() {
        return original.capacity() / disk.sectorSize();
    }

    /** The command line that writes the saved sectors back, as a user types it. */
    String restoreCommand() {
        return "jahci --device " + shellWord(device) + " write --port " + disk.port() + " --lba " + lba + " --count "
                + sectors() + " --in " + shellWord(file.toString()) + " --allow-write";
    }

    /**
     * Writes the original sectors back, flushes, reads them back and compares; deletes the file when they are
     * identical. Otherwise throws an IOException naming the file and {@link #restoreCommand}; the file stays.
     */
    void restore() throws IOException {
        ByteBuffer back = ByteBuffer.allocate(original.capacity());
        try {
            disk.write(lba, original.duplicate());
            disk.flush();
            disk.read(lba, back.duplicate());
        } catch (IOException | RuntimeException e) {
            throw new IOException("putting back the original sectors at LBA " + lba + ".." + (lba + sectors() - 1)
                    + " of port " + disk.port() + " failed (" + e.getMessage() + "); they are saved in " + file
                    + ": put them back with `" + restoreCommand() + "`", e);
        }
        if (!Arrays.equals(original.array(), back.array())) {
            throw new IOException("the sectors at LBA " + lba + ".." + (lba + sectors() - 1) + " of port " + disk.port()
                    + " read back different from the originals just put back; they are saved in " + file
                    + ": put them back with `" + restoreCommand() + "`");
        }
        Files.delete(file);
    }

    /** Deletes the file when nothing was written to the disk after all. */
    void discard() throws IOException {
        Files.deleteIfExists(file);
    }

    /** {@code word} as one shell word: as it is when it needs no quoting, else in single quotes. */
    static String shellWord(String word) {
        return word.matches("[A-Za-z0-9_@%+=:,./-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
