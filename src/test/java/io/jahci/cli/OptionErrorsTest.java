package io.jahci.cli;

import io.jahci.testing.Images;
import io.jahci.testing.JsonReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Each bad value of a typed option: one line naming the option, the value, why and an example, then the command's
 * --help; exit 2; before any device opens (the --device names an image that does not exist: opening it would
 * fail with another message, and the no-device note would not be printed either).
 */
class OptionErrorsTest {
    @TempDir
    Path dir;

    private CliRun badly(String... args) {
        List<String> all = new ArrayList<>(List.of("--device", "qemu:" + dir.resolve("never-created.img")));
        all.addAll(Arrays.asList(args));
        return CliRun.of(all.toArray(String[]::new));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "bench io --port 0 --rw read --size | 1x   | not a size          | --size 1g         | bench io",
        "bench io --port 0 --rw read --bs   | 1q   | not a size          | --bs 1g           | bench io",
        "bench io --port 0 --rw read --warmup | 2x | not a duration      | --warmup 500ms    | bench io",
        "bench io --port 0 --rw read --seconds | soon | not a duration   | --seconds 500ms   | bench io",
        "bench irq --warmup                 | 2x   | a number of events or a duration | --warmup 2s | bench irq",
        "bench io --port 0 --jobs           | randread:4k:x | QD 'x' is not a queue depth | --jobs randread:4k:1 | bench io",
        "bench io --port 0 --jobs           | randread:4q:1 | BS '4q' is not a size | --jobs randread:4k:1 | bench io",
        "bench io --port 0 --rw read --completions | sometimes | use interrupt, hybrid or poll | --completions poll | bench io",
        "identify --completion              | sometimes | use interrupt, hybrid or poll | --completion poll | identify",
        "identify --irq                     | msix | use msi, intx or auto | --irq msi          | identify",
        "identify --wait                    | hybrid:x | use block, spin, hybrid | --wait hybrid:20 | identify",
        "bench io --port 0 --rw             | reed | use read, write, randread or randwrite | --rw randread | bench io",
        "bench irq --rate                   | fast | events per second   | --rate 5000       | bench irq",
        "serve --port 0 --listen            | 127.0.0.1 | expected ADDRESS:PORT | --listen 127.0.0.1:10809 | serve",
        "serve --port 0 --listen            | 127.0.0.1:70000 | the port must be 0..65535 | --listen 127.0.0.1:10809 | serve",
        "identify --pin                     | irq=x | 'x' is not a CPU number | --pin irq=1,dispatch=1 | identify",
        "identify --pin                     | disk=0 | is not ROLE=CPU     | --pin irq=1,dispatch=1 | identify",
        "smart --port 0 --exit-status       | nagios | use jahci or smartctl | --exit-status smartctl | smart",
    })
    void aBadValueIsOneLineNamingOptionValueAndExample(String command, String value, String why, String example,
                                                       String help) {
        List<String> args = new ArrayList<>(Arrays.asList(command.split(" ")));
        args.add(value);
        CliRun r = badly(args.toArray(String[]::new));
        assertEquals(2, r.exit(), r.err());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        String option = args.get(args.size() - 2);
        String line = r.err().strip();
        assertTrue(line.startsWith("jahci: " + option + " " + value + ": "), line);
        assertTrue(line.contains(why), line);
        assertTrue(line.contains("(e.g. " + example), line);
        assertTrue(line.endsWith("; try 'jahci " + help + " --help'"), line);
    }

    @Test
    void withJsonAParseErrorIsAlsoTheJsonErrorDocument() throws Exception {
        CliRun r = badly("bench", "io", "--port", "0", "--jobs", "randread:4k:x", "--json");
        assertEquals(2, r.exit());
        Map<String, Object> error = JsonReader.object(JsonReader.object(r.out()).get("error"));
        assertEquals("usage", error.get("fault"));
        assertEquals(r.err().strip(), "jahci: " + error.get("message"));
    }

    @Test
    void pathsAreCheckedBeforeAnyDeviceOpens() {
        CliRun out = badly("read", "--port", "0", "--lba", "0", "--count", "1", "--out",
                dir.resolve("missing/x.bin").toString());
        assertEquals(2, out.exit(), out.err());
        assertEquals("jahci: --out " + dir.resolve("missing/x.bin") + ": directory " + dir.resolve("missing")
                + " does not exist: create it, or name a file in an existing directory, or - for stdout (e.g. --out "
                + "/tmp/sectors.bin); try 'jahci read --help'", out.err().strip());
        CliRun isDir = badly("read", "--port", "0", "--lba", "0", "--count", "1", "--out", dir.toString());
        assertEquals(2, isDir.exit(), isDir.err());
        assertTrue(isDir.err().contains(": is a directory"), isDir.err());
        CliRun in = badly("write", "--port", "0", "--lba", "0", "--count", "1", "--allow-write", "--in",
                dir.resolve("absent.bin").toString());
        assertEquals(2, in.exit(), in.err());
        assertTrue(in.err().startsWith("jahci: --in " + dir.resolve("absent.bin") + ": does not exist"), in.err());
    }

    @Test
    void theCompletionsSynopsisReadsAsOneListOfModes() {
        CliRun r = CliRun.of("bench", "io", "--help");
        assertEquals(0, r.exit());
        String synopsis = String.join("", r.out().lines().takeWhile(l -> !l.isBlank() && !l.startsWith("Sequential"))
                .map(String::strip).toList()).replace(" ", "");
        assertTrue(synopsis.contains("[--completions=MODE[,MODE...]]..."), synopsis);
        assertTrue(synopsis.contains("[--jobs=RW:BS:QD[,RW:BS:QD...]]..."), synopsis);
    }

    @Test
    void theScheduleOptionsHaveTheirOwnHelpSection() {
        CliRun r = CliRun.of("--help");
        String help = r.out();
        int section = help.indexOf("Scheduling options");
        assertTrue(section > 0, help);
        for (String option : List.of("--completion=", "--pin=", "--rt-priority=", "--mlockall", "--wait=")) {
            assertTrue(help.indexOf("      " + option) > section, option + " in the scheduling section: " + help);
        }
        assertTrue(help.indexOf("      --device=") < section, help);
    }

    /** What the bad inputs were refused for is accepted: sizes with g and GiB, durations with units, on QEMU. */
    @Test
    @Tag("qemu")
    void sizesAndDurationsWithUnitsRun() throws Exception {
        Path image = Images.create(dir, "s.img", 8 << 20);
        CliRun r = CliRun.of("--device", "qemu:" + image, "bench", "io", "--port", "0", "--rw", "randread", "--size", "1g",
                "--bs", "4KiB", "--warmup", "100ms", "--seconds", "0.3s", "--json");
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> run = JsonReader.object(JsonReader.list(JsonReader.object(r.out()).get("runs")).get(0));
        assertEquals(4096, run.get("bs"));
        double seconds = JsonReader.number(run.get("seconds"));
        assertTrue(seconds >= 0.3 && seconds < 2, "the 0.3 s window, not 0.3 s plus the warm-up: " + seconds);
    }
}
