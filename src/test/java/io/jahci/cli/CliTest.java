package io.jahci.cli;

import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import io.jahci.testing.JsonReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The CLI contract: commands, output, exit codes 0/1/2, and refusing to write without consent. */
class CliTest {
    @TempDir
    Path dir;

    @Test
    @Tag("qemu")
    void demoPassesOnTheDefaultTemporaryDisk() {
        CliRun r = CliRun.of("demo");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("QEMU HARDDISK"), r.out());
        assertTrue(r.out().contains("verified, identical"), r.out());
        assertTrue(r.out().contains("demo passed"), r.out());
        assertEquals(1, r.err().lines().filter(Main.NO_DEVICE_NOTE::equals).count(),
                "without --device the CLI says once that it uses a temporary QEMU disk: " + r.err());
    }

    @Test
    @Tag("qemu")
    void namingTheDeviceSilencesTheTemporaryDiskNote() {
        CliRun r = CliRun.of("--device", "qemu", "identify", "--port", "0");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("port 0: QEMU HARDDISK"), r.out());
        assertFalse(r.err().contains("no --device given"), r.err());
    }

    @Test
    @Tag("qemu")
    void identifyPrintsJsonPerDisk() throws Exception {
        Path a = Images.create(dir, "a.img", 16 << 20);
        Path b = Images.create(dir, "b.img", 8 << 20);
        CliRun r = CliRun.of("--device", "qemu:" + a + "," + b, "identify", "--json");
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> doc = JsonReader.object(r.out());
        assertEquals(List.of("jahciVersion", "schema", "device", "chip", "drives"), List.copyOf(doc.keySet()), r.out());
        assertNull(doc.get("chip"), "QEMU's ICH9 has no known quirks");
        List<Object> disks = JsonReader.list(doc.get("drives"));
        assertEquals(2, disks.size(), r.out());
        Map<String, Object> first = JsonReader.object(disks.get(0));
        Map<String, Object> second = JsonReader.object(disks.get(1));
        assertEquals(List.of("port", "model", "serial", "firmware", "sectors", "logicalSectorSize", "physicalSectorSize",
                "capacityBytes", "lba48", "ncqDepth", "trim", "writeCache", "smart", "fua"), List.copyOf(first.keySet()));
        assertEquals(0, first.get("port"));
        assertEquals("QEMU HARDDISK", first.get("model"));
        assertEquals(32768, first.get("sectors"));
        assertEquals(1, second.get("port"));
        assertEquals(16384, second.get("sectors"));
        assertEquals(8L << 20, JsonReader.number(second.get("capacityBytes")));
        CliRun one = CliRun.of("--device", "qemu:" + a + "," + b, "identify", "--port", "1");
        assertEquals(0, one.exit(), one.err());
        assertTrue(one.out().contains("port 1: QEMU HARDDISK"), one.out());
        assertFalse(one.out().contains("port 0:"), one.out());
    }

    @Test
    @Tag("qemu")
    void globalOptionsAfterTheSubcommandReachTheDevice() throws Exception {
        Path image = Images.create(dir, "g.img", 8 << 20);
        CliRun r = CliRun.of("identify", "--device", "qemu:" + image, "--sync-with-isr", "false", "--completion", "poll",
                "--verifier", "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\"sectors\":16384,"), "the named 8 MiB image, not the temporary disk: " + r.out());
        assertFalse(r.err().contains("no --device given"), r.err());
    }

    @ParameterizedTest(name = "--sync-with-isr {0}")
    @ValueSource(strings = {"true", "false"})
    @Tag("qemu")
    void writeThenReadMovesTheFileIntactAndLandsInTheImage(String syncWithIsr) throws Exception {
        Path image = Images.create(dir, "w.img", 16 << 20);
        Path in = dir.resolve("in.bin");
        byte[] data = Images.random(8, 100 * 512);
        Files.write(in, data);
        CliRun w = CliRun.of("--device", "qemu:" + image, "--sync-with-isr", syncWithIsr, "--verifier", "write",
                "--port", "0", "--lba", "33", "--count", "100", "--in", in.toString(), "--allow-write");
        assertEquals(0, w.exit(), w.err());
        assertTrue(w.err().lines().anyMatch(l -> l.matches("wrote 100/100 sectors \\(100%\\) from LBA 33; [0-9.]+ MB/s")),
                "progress with its rate: " + w.err());
        assertArrayEquals(data, Images.read(image, 33 * 512, data.length));
        Path out = dir.resolve("out.bin");
        CliRun r = CliRun.of("--device", "qemu:" + image, "--sync-with-isr", syncWithIsr, "--verifier", "read",
                "--port", "0", "--lba", "33", "--count", "100", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.matches("read 100/100 sectors \\(100%\\) from LBA 33; [0-9.]+ MB/s")),
                "progress with its rate: " + r.err());
        assertArrayEquals(data, Files.readAllBytes(out));
        CliRun id = CliRun.of("--device", "qemu:" + image, "--sync-with-isr", syncWithIsr, "identify", "--json");
        assertEquals(0, id.exit(), id.err());
        assertTrue(id.out().contains("\"sectors\":32768,"), id.out());
    }

    @Test
    @Tag("qemu")
    void writeWithoutAllowWriteRefusesAndTouchesNothing() throws Exception {
        Path image = Images.create(dir, "w.img", 4 << 20);
        Path in = dir.resolve("in.bin");
        Files.write(in, Images.random(9, 512));
        String before = Images.sha256(image);
        CliRun r = CliRun.of("--device", "qemu:" + image, "write", "--port", "0", "--lba", "0", "--count", "1",
                "--in", in.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("refusing to write without --allow-write"), r.err());
        assertEquals(before, Images.sha256(image));
    }

    @Test
    @Tag("qemu")
    void badRangesAndShortInputsAreUsageErrorsAndWriteNothing() throws Exception {
        Path image = Images.create(dir, "w.img", 1 << 20);
        Path in = dir.resolve("in.bin");
        Files.write(in, Images.random(10, 1000));
        String before = Images.sha256(image);
        CliRun pastEnd = CliRun.of("--device", "qemu:" + image, "read", "--port", "0", "--lba", "2047", "--count", "2",
                "--out", dir.resolve("o").toString());
        assertEquals(2, pastEnd.exit());
        assertTrue(pastEnd.err().contains("LBA range 2047..2048 is outside the disk on port 0, which has 2048 sectors"),
                pastEnd.err());
        CliRun shortInput = CliRun.of("--device", "qemu:" + image, "write", "--port", "0", "--lba", "0", "--count", "2",
                "--in", in.toString(), "--allow-write");
        assertEquals(2, shortInput.exit());
        assertTrue(shortInput.err().contains("has 1000 bytes; --count 2 needs 1024"), shortInput.err());
        assertEquals(before, Images.sha256(image));
    }

    @Test
    @Tag("qemu")
    void aFailedReadIsADeviceErrorAndLeavesTheOutputFileAlone() throws Exception {
        Path out = dir.resolve("keep.bin");
        Files.writeString(out, "precious");
        CliRun r = CliRun.of("--device", Images.failingReadAt(dir, 100), "read", "--port", "0", "--lba", "96",
                "--count", "8", "--out", out.toString());
        assertEquals(Main.DEVICE_ERROR, r.exit(), r.err());
        assertTrue(r.err().contains("port 0: READ DMA EXT, LBA 96..103 (8 sectors) failed"), r.err());
        assertTrue(r.err().contains("ATA status 0x41 (DRDY ERR)"), r.err());
        assertEquals("precious", Files.readString(out));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.filter(f -> f.toString().endsWith(".part")).count(), "no partial file left");
        }
    }

    @Test
    @Tag("qemu")
    void usageErrorsExitWithTwo() throws Exception {
        assertEquals(2, CliRun.of("--device", "floppy", "identify").exit());
        assertEquals(2, CliRun.of("read", "--port", "0").exit(), "missing options");
        CliRun noDisk = CliRun.of("identify", "--port", "4");
        assertEquals(2, noDisk.exit());
        assertTrue(noDisk.err().contains("port 4 has no ATA disk (it is empty)"), noDisk.err());
        CliRun missing = CliRun.of("--device", "qemu:" + dir.resolve("nope.img"), "identify");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("truncate -s 64M"), missing.err());
    }

    @Test
    void helpIsEverywhere() {
        for (String command : new String[] {"demo", "identify", "read", "write"}) {
            CliRun r = CliRun.of(command, "--help");
            assertEquals(0, r.exit());
            assertTrue(r.out().contains("Usage: jahci " + command), r.out());
        }
    }
}
