package io.jahci.cli;

import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** bench io against QEMU: the JSON users script against, and writes only with consent. */
@Tag("qemu")
class BenchIoCliTest {
    @TempDir
    Path dir;

    private static long number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":([0-9.]+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return (long) Double.parseDouble(m.group(1));
    }

    @Test
    void randomReadsAtDepth32ReportIopsAndLatencyPercentilesAsJson() throws Exception {
        Path image = Images.create(dir, "b.img", 16 << 20);
        CliRun r = CliRun.of("--device", "qemu:" + image, "bench", "io", "--port", "0", "--rw", "randread", "--bs", "4k",
                "--qd", "32", "--seconds", "1", "--json");
        assertEquals(0, r.exit(), r.err());
        String json = r.out().strip();
        assertTrue(json.startsWith("{\"rw\":\"randread\",\"bs\":4096,\"qd\":32,"), json);
        long ios = number(json, "ios");
        assertTrue(ios > 0, json);
        assertTrue(number(json, "iops") > 0, json);
        assertEquals(ios, number(json, "count"), "every I/O has a latency");
        long p50 = number(json, "p50");
        long p99 = number(json, "p99");
        assertTrue(p50 > 0 && p50 <= p99 && p99 <= number(json, "max"), json);
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
