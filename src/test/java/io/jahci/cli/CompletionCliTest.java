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
    void anUnknownModeIsAUsageErrorThatNamesTheModes() {
        CliRun r = CliRun.of("--completion", "sometimes", "identify");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown completion mode 'sometimes': use interrupt, hybrid or poll"), r.err());
    }
}
