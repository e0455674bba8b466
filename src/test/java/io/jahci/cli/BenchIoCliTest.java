package io.jahci.cli;

import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import io.jahci.testing.JsonReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** bench io against QEMU: the JSON users script against, and writes only with consent. */
@Tag("qemu")
class BenchIoCliTest {
    @TempDir
    Path dir;

    @Test
    void randomReadsAtDepth32ReportIopsAndLatencyPercentilesAsJson() throws Exception {
        Path image = Images.create(dir, "b.img", 16 << 20);
        CliRun r = CliRun.of("--device", "qemu:" + image, "bench", "io", "--port", "0", "--rw", "randread", "--bs", "4k",
                "--qd", "32", "--seconds", "1", "--json");
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> json = JsonReader.object(r.out());
        assertEquals(List.of("rw", "bs", "qd", "ios", "seconds", "iops", "bytesPerSecond", "latency",
                "registerReadsPerCommand", "registerWritesPerCommand"), List.copyOf(json.keySet()), r.out());
        // At depth 32 one interrupt completes many commands: the ISR's reads are shared; each command
        // costs its own PxSACT and PxCI writes.
        double reads = JsonReader.number(json.get("registerReadsPerCommand"));
        double writes = JsonReader.number(json.get("registerWritesPerCommand"));
        assertTrue(reads > 0 && reads <= 3 && writes >= 2 && writes <= 4, r.out());
        assertEquals("randread", json.get("rw"));
        assertEquals(4096, json.get("bs"));
        assertEquals(32, json.get("qd"));
        double ios = JsonReader.number(json.get("ios"));
        assertTrue(ios > 0, r.out());
        assertTrue(JsonReader.number(json.get("iops")) > 0, r.out());
        Map<String, Object> latency = JsonReader.object(json.get("latency"));
        assertEquals(List.of("count", "p50", "p90", "p99", "p999", "max"), List.copyOf(latency.keySet()));
        assertEquals(ios, JsonReader.number(latency.get("count")), "every I/O has a latency");
        double p50 = JsonReader.number(latency.get("p50"));
        double p99 = JsonReader.number(latency.get("p99"));
        assertTrue(p50 > 0 && p50 <= p99 && p99 <= JsonReader.number(latency.get("max")), r.out());
    }

    @Test
    void writesNeedAllowWriteAndUsageErrorsExitTwo() throws Exception {
        Path image = Images.create(dir, "w.img", 4 << 20);
        String before = Images.sha256(image);
        CliRun refused = CliRun.of("--device", "qemu:" + image, "bench", "io", "--port", "0", "--rw", "write",
                "--seconds", "1");
        assertEquals(2, refused.exit());
        assertTrue(refused.err().contains("--allow-write"), refused.err());
        assertEquals(before, Images.sha256(image));
        assertEquals(2, CliRun.of("bench", "io", "--port", "0", "--rw", "sideways").exit());
        assertEquals(2, CliRun.of("bench", "io", "--port", "0", "--rw", "read", "--bs", "lots").exit());
        CliRun odd = CliRun.of("--device", "qemu:" + image, "bench", "io", "--port", "0", "--rw", "read", "--bs", "1000",
                "--seconds", "1");
        assertEquals(2, odd.exit());
        assertTrue(odd.err().contains("not a whole number of 512-byte sectors"), odd.err());
    }
}
