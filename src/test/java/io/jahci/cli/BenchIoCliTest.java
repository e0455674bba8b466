package io.jahci.cli;

import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import io.jahci.testing.JsonReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jahci.bench.IoPlot;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** bench io against QEMU: the JSON users script against, and writes only with consent. */
@Tag("qemu")
class BenchIoCliTest {
    /** The keys of one job's JSON object, as README's CLI table and docs/performance.md give them. */
    static final List<String> KEYS = List.of("completion", "rw", "bs", "qd", "ios", "seconds", "iops", "bytesPerSecond", "latency",
            "registerReadsPerCommand", "registerWritesPerCommand", "perCommand", "jitCompilationMillis", "exitedThreads",
            "warmupSeconds");
    static final List<String> LATENCY_KEYS = List.of("count", "min", "mean", "stdev", "p50", "p90", "p99", "p999",
            "max");
    static final List<String> PER_COMMAND_KEYS = List.of("switchesVoluntary", "switchesInvoluntary", "cpuNanos",
            "interrupts", "allocatedBytes", "system");

    @TempDir
    Path dir;

    @Test
    void randomReadsAtDepth32ReportIopsAndLatencyPercentilesAsJson() throws Exception {
        Path image = Images.create(dir, "b.img", 16 << 20);
        CliRun r = CliRun.of("--device", "qemu:" + image, "bench", "io", "--port", "0", "--rw", "randread", "--bs", "4k",
                "--qd", "32", "--seconds", "1", "--json");
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> json = JsonReader.object(JsonReader.list(JsonReader.object(r.out()).get("runs")).get(0));
        assertEquals(KEYS, List.copyOf(json.keySet()), r.out());
        assertEquals(PER_COMMAND_KEYS, List.copyOf(JsonReader.object(json.get("perCommand")).keySet()), r.out());
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
        assertEquals(LATENCY_KEYS, List.copyOf(latency.keySet()));
        assertEquals(ios, JsonReader.number(latency.get("count")), "every I/O has a latency");
        double p50 = JsonReader.number(latency.get("p50"));
        double p99 = JsonReader.number(latency.get("p99"));
        assertTrue(p50 > 0 && p50 <= p99 && p99 <= JsonReader.number(latency.get("max")), r.out());
    }

    /**
     * At QD1 in interrupt mode each command completes alone, so it takes its own interrupt: at least
     * one per command. Over qtest the INTx line is level-triggered and reported by change only, so the
     * interrupt thread's rearm signals once more when the line still reads raised after the ISR (the
     * IRQ lower line is read by another thread): at most one more wake-up per interrupt, so at most two.
     * The submitter waits for its one command and takes its own interrupt: the ISR and the completion
     * run on it, and the timer thread is not woken either (each command's deadline lies after the one
     * it sleeps until). Before, the port threads switched 7-8 times per command (the interrupt thread
     * woken for each interrupt and blocked on the ISR's register round trips, the timer thread twice).
     * The interrupt thread still takes an interrupt that arrives before the submitter began to wait
     * (over qtest QEMU may raise the line before it answers the doorbell write), about 4 switches
     * each: docs/performance.md measured 1.0-1.9 port switches per command.
     */
    @Test
    void atDepthOneEachCommandTakesOneOrTwoInterruptsAndTheCostsAreCounted() throws Exception {
        Path image = Images.create(dir, "i.img", 16 << 20);
        CliRun r = CliRun.of("--device", "qemu:" + image, "--completion", "interrupt", "bench", "io", "--port", "0",
                "--rw", "randread", "--qd", "1", "--warmup", "0.5s", "--warmup-jit-idle", "--seconds", "3", "--json");
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> json = JsonReader.object(JsonReader.list(JsonReader.object(r.out()).get("runs")).get(0));
        // --warmup, then at least two rounds of 1 s, at most JIT_IDLE_ROUNDS
        double warmed = JsonReader.number(json.get("warmupSeconds"));
        assertTrue(warmed >= 2.5 && warmed < 0.5 + io.jahci.bench.IoBench.JIT_IDLE_ROUNDS * 1.5, r.out());
        Map<String, Object> perCommand = JsonReader.object(json.get("perCommand"));
        double interrupts = JsonReader.number(perCommand.get("interrupts"));
        // One interrupt per command, but the window's first command may have been submitted before the
        // window's snapshot took the count, or its interrupt after the last one ended it: one interrupt
        // fewer than commands is possible at the edge; the per-command value is rounded to 3 decimals.
        double ios = JsonReader.number(json.get("ios"));
        assertTrue(interrupts >= (ios - 1) / ios - 0.0005 && interrupts <= 2, r.out());
        Map<String, Object> cpu = JsonReader.object(perCommand.get("cpuNanos"));
        assertEquals(List.of("port", "transport", "submitter", "jit", "gc", "other"), List.copyOf(cpu.keySet()));
        // The submitter builds each command and runs its ISR and completion: it used a CPU.
        assertTrue(JsonReader.number(cpu.get("submitter")) > 0, r.out());
        Map<String, Object> voluntary = JsonReader.object(perCommand.get("switchesVoluntary"));
        assertTrue(JsonReader.number(voluntary.get("port")) < 4, r.out());
        Map<String, Object> bytes = JsonReader.object(perCommand.get("allocatedBytes"));
        assertEquals(List.of("port", "transport", "submitter"), List.copyOf(bytes.keySet()));
        assertNothingAllocatedPerCommand(bytes, r.out());
    }

    /**
     * Nothing allocated per command by the submitter (which runs the ISR and the completion here) and
     * the port's threads: any object made per request would be at least 16 bytes (its header) per
     * command. The window's one-off allocations (its ten progress lines, about 80 KB) stay below that
     * over the 3 s window's thousands of commands.
     */
    private static void assertNothingAllocatedPerCommand(Map<String, Object> bytes, String out) {
        assertTrue(JsonReader.number(bytes.get("submitter")) < 16, out);
        assertTrue(JsonReader.number(bytes.get("port")) < 16, out);
    }

    /**
     * In poll mode the submitter, waiting for its one command, polls for it itself: the port's poller
     * thread is never woken for it (before, it was unparked for each command and parked again after).
     */
    @Test
    void inPollModeAtDepthOneNoPortThreadIsWokenPerCommand() throws Exception {
        Path image = Images.create(dir, "p.img", 16 << 20);
        CliRun r = CliRun.of("--device", "qemu:" + image, "--completion", "poll", "bench", "io", "--port", "0",
                "--rw", "randread", "--qd", "1", "--warmup", "0.5s", "--seconds", "3", "--json");
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> json = JsonReader.object(JsonReader.list(JsonReader.object(r.out()).get("runs")).get(0));
        Map<String, Object> perCommand = JsonReader.object(json.get("perCommand"));
        assertEquals(0, JsonReader.number(perCommand.get("interrupts")), r.out());
        Map<String, Object> voluntary = JsonReader.object(perCommand.get("switchesVoluntary"));
        assertTrue(JsonReader.number(voluntary.get("port")) < 0.5, r.out());
        assertNothingAllocatedPerCommand(JsonReader.object(perCommand.get("allocatedBytes")), r.out());
    }

    /**
     * Two jobs with a warm-up, --hgrm and --plot: each job's .hgrm holds every measured I/O and HdrHistogram's own
     * mean, standard deviation and minimum agree with the JSON's; the PNG decodes at its fixed size; the text says
     * over QEMU that the numbers measure the transport.
     */
    @Test
    void hgrmAndPlotHoldWhatTheRunMeasured() throws Exception {
        Path image = Images.create(dir, "p.img", 16 << 20);
        Path hgrm = dir.resolve("hgrm");
        Path png = dir.resolve("plots/io.png");
        CliRun r = CliRun.of("--device", "qemu:" + image, "bench", "io", "--port", "0", "--jobs",
                "randread:4k:1,randread:4k:8", "--seconds", "0.5", "--warmup", "0.2", "--json", "--hgrm", hgrm.toString(),
                "--plot", png.toString());
        assertEquals(0, r.exit(), r.err());
        List<Object> runs = JsonReader.list(JsonReader.object(r.out()).get("runs"));
        assertEquals(2, runs.size(), r.out());
        for (Object run : runs) {
            Map<String, Object> json = JsonReader.object(run);
            String line = String.valueOf(run);
            Map<String, Object> latency = JsonReader.object(json.get("latency"));
            String job = json.get("rw") + "-4k-qd" + json.get("qd");
            List<String> file = Files.readAllLines(hgrm.resolve(job + ".hgrm"));
            double count = JsonReader.number(latency.get("count"));
            assertEquals(JsonReader.number(json.get("ios")), count, line);
            String last = file.stream().filter(l -> l.matches(" *[0-9.]+ +1\\.0+ +[0-9]+ *")).findFirst()
                    .orElseThrow(() -> new AssertionError("no 100% line in " + file));
            assertEquals(count, Double.parseDouble(last.trim().split(" +")[2]), "count at 100%: " + last);
            assertTrue(file.stream().anyMatch(l -> l.matches("#\\[Max += +[0-9.]+, Total count += +" + (long) count + "]")),
                    String.join("\n", file));
            // HdrHistogram's footer, in us with 3 decimals, against the JSON's ns with 1 decimal.
            Matcher footer = Pattern.compile("#\\[Mean += +([0-9.]+), StdDeviation += +([0-9.]+)]")
                    .matcher(String.join("\n", file));
            assertTrue(footer.find(), String.join("\n", file));
            assertEquals(Double.parseDouble(footer.group(1)), JsonReader.number(latency.get("mean")) / 1000, 0.001, line);
            assertEquals(Double.parseDouble(footer.group(2)), JsonReader.number(latency.get("stdev")) / 1000, 0.001, line);
            // The 0% line gives the lowest bucket's top: within HdrHistogram's 3 digits of the minimum.
            double first = Double.parseDouble(file.get(2).trim().split(" +")[0]) * 1000;
            double min = JsonReader.number(latency.get("min"));
            assertTrue(min > 0 && Math.abs(first - min) <= min * 1e-3 + 1, first + " vs " + line);
            assertTrue(min <= JsonReader.number(latency.get("p50")) && JsonReader.number(latency.get("mean")) <= JsonReader
                    .number(latency.get("max")), line);
        }
        BufferedImage picture = ImageIO.read(png.toFile());
        assertNotNull(picture, "a PNG ImageIO decodes");
        assertEquals(IoPlot.WIDTH, picture.getWidth());
        assertEquals(IoPlot.height(), picture.getHeight());

        CliRun text = CliRun.of("--device", "qemu:" + image, "bench", "io", "--port", "0", "--rw", "read", "--seconds",
                "0.3");
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().matches("(?s).*latency \\(us\\): min=[0-9.]+ mean=[0-9.]+ stdev=[0-9.]+; p50=.*"), text.out());
        assertTrue(text.out().contains("NOTE: over the QEMU transport each register access is a qtest socket round trip"),
                text.out());
        assertTrue(text.err().contains("IOPS"), text.err());
    }

    /** README's CLI table and docs/performance.md name every key the JSON has, in its order. */
    @Test
    void theDocsNameEveryJsonKeyInOrder() throws Exception {
        String row = Files.readString(Path.of("README.md")).lines().filter(l -> l.startsWith("| `bench io "))
                .findFirst().orElseThrow(() -> new AssertionError("README.md has no `bench io` row"));
        String perf = Files.readString(Path.of("docs/performance.md"));
        for (String doc : List.of(row, perf)) {
            inOrder(doc, KEYS, 0);
            inOrder(doc, PER_COMMAND_KEYS, doc.indexOf("\"perCommand\""));
        }
    }

    /** Each of {@code keys}, quoted, in {@code doc} after the previous one, the first after {@code from}. */
    private static void inOrder(String doc, List<String> keys, int from) {
        int at = from;
        for (String key : keys) {
            int found = doc.indexOf("\"" + key + "\"", at);
            assertTrue(found >= 0, "\"" + key + "\" is not named after the key before it in " + doc);
            at = found;
        }
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
