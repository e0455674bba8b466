package io.jahci.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Disk image files for tests: created sparse, read and written directly on the host. */
public final class Images {
    private Images() {}

    /** A sparse image of {@code bytes}, deleted when the JVM exits. */
    public static Path create(Path dir, String name, long bytes) throws IOException {
        Path image = dir.resolve(name);
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(bytes);
        }
        return image;
    }

    public static void write(Path image, long offset, byte[] data) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.seek(offset);
            file.write(data);
            file.getFD().sync();
        }
    }

    public static byte[] read(Path image, long offset, int length) throws IOException {
        byte[] data = new byte[length];
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "r")) {
            file.seek(offset);
            file.readFully(data);
        }
        return data;
    }

    public static byte[] random(long seed, int length) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    /**
     * A {@code --device} spec for a fresh 4 MiB image in {@code dir} whose reads of {@code sector} fail with EIO
     * (a blkdebug {@code inject-error} rule for {@code read_aio}).
     */
    public static String failingReadAt(Path dir, long sector) throws IOException {
        Path image = create(dir, "eio-" + sector + ".img", 4 << 20);
        Path rules = dir.resolve("eio-" + sector + ".conf");
        Files.writeString(rules, "[inject-error]\nevent = \"read_aio\"\nerrno = \"5\"\nsector = \"" + sector + "\"\n");
        return "qemu:blkdebug:" + rules + ":" + image;
    }

    /** SHA-256 of a whole (small) image file. */
    public static String sha256(Path file) throws IOException {
        if (Files.size(file) > 256L << 20) {
            throw new IllegalArgumentException(file + " is too large to hash in a test");
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
