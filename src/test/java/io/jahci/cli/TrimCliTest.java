package io.jahci.cli;

import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code jahci trim} against QEMU's AHCI, whose hard-disk images get {@code discard=unmap}: the refusals
 * before anything opens, and what the trimmed sectors hold afterwards, in the image and as jahci reads them.
 */
@Tag("qemu")
class TrimCliTest {
    @TempDir
    Path dir;

    @Test
    void refusesWithoutAllowWriteAndBadRangesBeforeTheDeviceOpens() throws Exception {
        Path image = Images.create(dir, "a.img", 16 << 20);
        byte[] data = Images.random(5, 64 * 512);
        Images.write(image, 100 * 512L, data);
        String before = Images.sha256(image);
        String device = "qemu:" + image;

        CliRun refused = CliRun.of("--device", device, "trim", "--port", "0", "--lba", "100", "--count", "64");
        assertEquals(2, refused.exit(), refused.err());
        assertTrue(refused.err().contains("refusing to trim without --allow-write"), refused.err());
        CliRun zero = CliRun.of("--device", device, "trim", "--port", "0", "--lba", "100", "--count", "0", "--allow-write");
        assertEquals(2, zero.exit(), zero.err());
        assertTrue(zero.err().contains("--count must be at least 1"), zero.err());
        CliRun negative = CliRun.of("--device", device, "trim", "--port", "0", "--lba", "-1", "--count", "1",
                "--allow-write");
        assertEquals(2, negative.exit(), negative.err());
        assertTrue(negative.err().contains("--lba must be 0 or more"), negative.err());
        for (CliRun early : new CliRun[] {refused, zero, negative}) {
            assertFalse(early.err().contains("qemu ich9-ahci"), "refused before QEMU started: " + early.err());
        }
        CliRun past = CliRun.of("--device", device, "trim", "--port", "0", "--lba", "32760", "--count", "16",
                "--allow-write");
        assertEquals(2, past.exit(), past.err());
        assertTrue(past.err().contains("LBA range 32760..32775 is outside the disk on port 0, which has 32768 sectors"),
                past.err());
        assertEquals(before, Images.sha256(image), "nothing was trimmed");
    }

    @Test
    void trimmedSectorsReadBackAsZeroesAndTheirNeighboursKeepTheirData() throws Exception {
        Path image = Images.create(dir, "b.img", 16 << 20);
        byte[] data = Images.random(6, 96 * 512);
        Images.write(image, 2048 * 512L, data);
        String device = "qemu:" + image;

        CliRun trim = CliRun.of("--device", device, "trim", "--port", "0", "--lba", "2064", "--count", "64",
                "--allow-write");
        assertEquals(0, trim.exit(), trim.err());
        assertEquals("port 0: trimmed 64 sectors at LBA 2064..2127; the disk does not promise that they read back as "
                + "zeroes (IDENTIFY word 69: no RZAT)", trim.out().strip(), "QEMU sets DRAT, not RZAT");

        byte[] after = Images.read(image, 2048 * 512L, data.length);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 0, 16 * 512), java.util.Arrays.copyOfRange(after, 0, 16 * 512),
                "the 16 sectors before the range keep their data");
        assertArrayEquals(new byte[64 * 512], java.util.Arrays.copyOfRange(after, 16 * 512, 80 * 512),
                "QEMU unmapped the range in the image: it reads as zeroes");
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 80 * 512, 96 * 512),
                java.util.Arrays.copyOfRange(after, 80 * 512, 96 * 512), "the 16 sectors after it keep theirs");

        Path out = dir.resolve("back.bin");
        CliRun read = CliRun.of("--device", device, "read", "--port", "0", "--lba", "2048", "--count", "96", "--out",
                out.toString());
        assertEquals(0, read.exit(), read.err());
        assertArrayEquals(after, Files.readAllBytes(out), "jahci reads back what the image holds");
    }
}
