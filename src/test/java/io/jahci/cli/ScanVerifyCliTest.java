package io.jahci.cli;

import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import io.jahci.testing.JsonReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** scan and verify against QEMU, with faults injected by blkdebug. */
@Tag("qemu")
class ScanVerifyCliTest {
    @TempDir
    Path dir;

    private Path rules(String event, long... sectors) throws Exception {
        StringBuilder text = new StringBuilder();
        for (long s : sectors) {
            text.append("[inject-error]\nevent = \"").append(event).append("\"\nerrno = \"5\"\nsector = \"").append(s)
                    .append("\"\n\n");
        }
        Path file = dir.resolve(event + ".conf");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void scanListsExactlyTheInjectedSectorsAndExitsOne() throws Exception {
        Path image = Images.create(dir, "s.img", 8 << 20);
        Path rules = rules("read_aio", 1000, 5000, 5001, 16383);
        CliRun r = CliRun.of("--device", "qemu:blkdebug:" + rules + ":" + image, "scan", "--port", "0", "--json");
        assertEquals(Main.FINDING, r.exit(), r.err());
        Map<String, Object> json = JsonReader.object(r.out());
        assertEquals(List.of("jahciVersion", "schema", "device", "bad", "badSectors", "firstLba", "sectors", "failedChunks", "seconds"),
                List.copyOf(json.keySet()), r.out());
        assertEquals(List.of(Map.of("lba", 1000, "count", 1), Map.of("lba", 5000, "count", 2),
                Map.of("lba", 16383, "count", 1)), json.get("bad"), r.out());
        assertEquals(4, json.get("badSectors"));
        assertEquals(0, json.get("firstLba"));
        assertEquals(16384, json.get("sectors"));
        CliRun text = CliRun.of("--device", "qemu:blkdebug:" + rules + ":" + image, "scan", "--port", "0", "--lba", "4000",
                "--count", "2000", "--qd", "8");
        assertEquals(Main.FINDING, text.exit(), text.err());
        assertTrue(text.out().contains("scanned 2000 sectors (LBA 4000..5999)"), text.out());
        assertTrue(text.out().contains("bad: LBA 5000..5001 (2 sectors)"), text.out());
        assertFalse(text.out().contains("LBA 1000"), text.out());
    }

    @Test
    void scanOfAHealthyDiskExitsZero() throws Exception {
        Path image = Images.create(dir, "h.img", 4 << 20);
        CliRun r = CliRun.of("--device", "qemu:" + image, "scan", "--port", "0");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("scanned 8192 sectors (LBA 0..8191)"), r.out());
        assertTrue(r.out().contains(": 0 bad"), r.out());
        assertTrue(r.err().lines().anyMatch(l -> l.matches("scanned [0-9]+/8192 sectors \\([0-9]+%\\) from LBA 0, 0 bad; "
                + "[0-9.]+ MB/s.*")), "progress with its rate: " + r.err());
    }

    @Test
    void verifyAtQueueDepth32PassesOnAHealthyDiskAndLeavesThePatternInTheImage() throws Exception {
        Path image = Images.create(dir, "v.img", 8 << 20);
        CliRun r = CliRun.of("--device", "qemu:" + image, "verify", "--port", "0", "--qd", "32", "--allow-write", "--json");
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> json = JsonReader.object(r.out());
        assertEquals(List.of("jahciVersion", "schema", "device", "passed", "firstLba", "sectors", "mismatches", "writeSeconds", "readSeconds"),
                List.copyOf(json.keySet()), r.out());
        assertEquals(true, json.get("passed"));
        assertEquals(List.of(), json.get("mismatches"));
        byte[] sector = Images.read(image, 777 * 512L, 512);
        assertEquals(777, java.nio.ByteBuffer.wrap(sector).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0),
                "each sector carries its LBA");
    }

    @Test
    void verifyReportsSectorsWhoseWriteFailedAndExitsOne() throws Exception {
        Path image = Images.create(dir, "w.img", 4 << 20);
        Path rules = rules("write_aio", 3000);
        CliRun r = CliRun.of("--device", "qemu:blkdebug:" + rules + ":" + image, "verify", "--port", "0", "--allow-write");
        assertEquals(Main.FINDING, r.exit(), r.err());
        assertTrue(r.out().contains("verify FAILED"), r.out());
        assertTrue(r.out().contains("write of"), r.out());
    }

    @Test
    void verifyNeedsAllowWriteAndTouchesNothingWithoutIt() throws Exception {
        Path image = Images.create(dir, "n.img", 1 << 20);
        String before = Images.sha256(image);
        CliRun r = CliRun.of("--device", "qemu:" + image, "verify", "--port", "0");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--allow-write"), r.err());
        assertEquals(before, Images.sha256(image));
    }
}
