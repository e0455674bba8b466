package io.jahci.cli;

import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import io.jahci.testing.JsonReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** bench io against QEMU: the JSON users script against, and writes only with consent. */
@Tag("qemu")
class BenchIoCliTest {
    /** The keys of one job's JSON object, as README's CLI table and docs/performance.md give them. */
    static final List<String> KEYS = List.of("completion", "rw", "bs", "qd", "ios", "seconds", "iops", "bytesPerSecond", "latency",
            "registerReadsPerCommand", "registerWritesPerCommand", "perCommand", "jitCompilationMillis", "exitedThreads");
    static final List<String> PER_COMMAND_KEYS = List.of("switchesVoluntary", "switchesInvoluntary", "cpuNanos",
            "interrupts", "allocatedBytes");

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
        assertEquals(List.of("count", "p50", "p90", "p99", "p999", "max"), List.copyOf(latency.keySet()));
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
     */
    @Test
    void atDepthOneEachCommandTakesOneOrTwoInterruptsAndTheCostsAreCounted() throws Exception {
        Path image = Images.create(dir, "i.img", 16 << 20);
        CliRun r = CliRun.of("--device", "qemu:" + image, "--completion", "interrupt", "bench", "io", "--port", "0",
                "--rw", "randread", "--qd", "1", "--seconds", "1", "--json");
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> json = JsonReader.object(JsonReader.list(JsonReader.object(r.out()).get("runs")).get(0));
        Map<String, Object> perCommand = JsonReader.object(json.get("perCommand"));
        double interrupts = JsonReader.number(perCommand.get("interrupts"));
        // One interrupt per command, but the window's first command may have been submitted before the
        // window's snapshot took the count, or its interrupt after the last one ended it: one interrupt
        // fewer than commands is possible at the edge; the per-command value is rounded to 3 decimals.
        double ios = JsonReader.number(json.get("ios"));
        assertTrue(interrupts >= (ios - 1) / ios - 0.0005 && interrupts <= 2, r.out());
        Map<String, Object> cpu = JsonReader.object(perCommand.get("cpuNanos"));
        assertEquals(List.of("port", "transport", "submitter", "jit", "gc", "other"), List.copyOf(cpu.keySet()));
        // The ISR runs on a port thread and the submitter builds each command: both used a CPU.
        assertTrue(JsonReader.number(cpu.get("port")) > 0 && JsonReader.number(cpu.get("submitter")) > 0, r.out());
        // Each command's completion wakes a port thread that was blocked waiting for the interrupt.
        Map<String, Object> voluntary = JsonReader.object(perCommand.get("switchesVoluntary"));
        assertTrue(JsonReader.number(voluntary.get("port")) >= 1, r.out());
        Map<String, Object> bytes = JsonReader.object(perCommand.get("allocatedBytes"));
        assertEquals(List.of("port", "transport", "submitter"), List.copyOf(bytes.keySet()));
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
