package io.jahci.cli;

import io.jahci.testing.Images;
import io.jahci.testing.JsonReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** --completion: verify's data-integrity check passes at queue depth 1 and 32 in every mode; a wrong mode is a usage error. */
class CompletionCliTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "--completion {0} verify --qd {1}")
    @CsvSource({"interrupt, 1", "hybrid, 1", "hybrid, 32", "poll, 1", "poll, 32"})
    @Tag("qemu")
    void verifyPassesInEveryMode(String mode, int qd) throws Exception {
        Path image = Images.create(dir, "v.img", 8 << 20);
        CliRun r = CliRun.of("--device", "qemu:" + image, "--completion", mode, "verify", "--port", "0", "--count", "4096",
                "--qd", Integer.toString(qd), "--allow-write", "--json");
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> json = JsonReader.object(r.out());
        assertEquals(true, json.get("passed"), r.out());
        assertEquals(List.of(), json.get("mismatches"));
    }

    @Test
    @Tag("qemu")
    void benchIoRunsEveryJobInEveryModeInOneProcess() throws Exception {
        CliRun r = CliRun.of("--device", "qemu", "bench", "io", "--port", "0", "--jobs", "randread:4k:1,read:128k:2",
                "--completions", "poll,interrupt", "--seconds", "0.3", "--warmup", "0.1", "--json");
        assertEquals(0, r.exit(), r.err());
        List<Object> runs = JsonReader.list(JsonReader.object(r.out()).get("runs"));
        assertEquals(4, runs.size(), r.out());
        List<String> seen = new java.util.ArrayList<>();
        for (Object run : runs) {
            Map<String, Object> json = JsonReader.object(run);
            assertTrue(((Number) json.get("ios")).longValue() > 0, r.out());
            seen.add(json.get("completion") + " " + json.get("rw") + " " + json.get("bs") + " " + json.get("qd"));
        }
        assertEquals(List.of("poll randread 4096 1", "poll read 131072 2", "interrupt randread 4096 1",
                "interrupt read 131072 2"), seen);
        r = CliRun.of("bench", "io", "--port", "0", "--jobs", "randread:4k");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--jobs randread:4k: each job is RW:BS:QD"), r.err());
    }

    @Test
    void anUnknownModeIsAUsageErrorThatNamesTheModes() {
        CliRun r = CliRun.of("--completion", "sometimes", "identify");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--completion sometimes: use interrupt, hybrid or poll (e.g. --completion poll)"), r.err());
    }
}
