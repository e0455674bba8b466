package io.jahci.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** CD images for tests: ISO 9660 images built with genisoimage, and raw files of 2048-byte sectors. */
public final class Discs {
    /** Bytes per CD sector (MMC-6 §4.2.2: a Mode 1 user data block). */
    public static final int SECTOR = 2048;

    private Discs() {}

    /**
     * A raw disc of {@code sectors} 2048-byte sectors, each starting with its LBA as 8 ASCII digits
     * and filled after that with bytes derived from {@code seed} and the LBA, so a misplaced sector shows.
     */
    public static Path pattern(Path dir, String name, int sectors, long seed) throws IOException {
        byte[] all = new byte[sectors * SECTOR];
        for (int lba = 0; lba < sectors; lba++) {
            byte[] sector = sector(lba, seed);
            System.arraycopy(sector, 0, all, lba * SECTOR, SECTOR);
        }
        Path disc = dir.resolve(name);
        Files.write(disc, all);
        return disc;
    }

    /** Sector {@code lba} of {@link #pattern}. */
    public static byte[] sector(int lba, long seed) {
        byte[] sector = Images.random(seed * 1_000_003L + lba, SECTOR);
        byte[] label = String.format("%08d", lba).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(label, 0, sector, 0, label.length);
        return sector;
    }

    /**
     * An ISO 9660 image of {@code content} (a directory), volume id {@code volumeId}, built with
     * genisoimage; fails saying what to install when it is missing.
     */
    public static Path iso(Path dir, String name, Path content, String volumeId) throws IOException, InterruptedException {
        Path genisoimage = Path.of("/usr/bin/genisoimage");
        if (!Files.isExecutable(genisoimage)) {
            throw new IllegalStateException("genisoimage is not installed: apt-get install genisoimage (.ci/install-deps)");
        }
        Path iso = dir.resolve(name);
        Process p = new ProcessBuilder(genisoimage.toString(), "-quiet", "-V", volumeId, "-o", iso.toString(),
                content.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("genisoimage failed: " + out);
        }
        return iso;
    }
}
