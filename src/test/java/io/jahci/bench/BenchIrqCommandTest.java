package io.jahci.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static io.jahci.testing.JsonReader.number;
import static io.jahci.testing.JsonReader.object;

import io.jahci.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jahci bench irq} end to end, in-process through {@link Main#run}. No timing assertions. */
class BenchIrqCommandTest {
    private static final Set<String> STAT_KEYS = Set.of("count", "min", "mean", "stdev", "p50", "p90", "p99", "p999", "max");
    private static final List<String> STAGES = List.of("send", "wake", "isr", "worker", "synchronized", "workitem");

    @TempDir
    Path dir;

    private record Result(int exit, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    @DisplayName("bench irq --events 2000 --json: Java and C from one run, every stage with its percentiles, "
            + "0 bytes allocated per event on the port threads; --hgrm and --plot write their files")
    void jsonFromOneRun() throws Exception {
        Path png = dir.resolve("irq.png");
        Path hgrm = dir.resolve("hgrm");
        Result r = run("bench", "irq", "--events", "2000", "--json", "--hgrm", hgrm.toString(), "--plot", png.toString());
        assertEquals(0, r.exit(), r.err());
        // About 4.4 s per side on the default schedule: progress lines with the rate and the time left, each side.
        assertTrue(r.err().lines().anyMatch(l -> l.matches("C baseline: [0-9.]+ s of [0-9.]+ s; ETA [0-9:]+")), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.matches("Java pipeline: [0-9]+/22000 events signalled, warm-up "
                + "included; [0-9]+ events/s, ETA [0-9:]+")), r.err());
        Map<String, Object> top = object(r.out().trim());
        assertEquals(Set.of("jahciVersion", "schema", "java", "c"), top.keySet());
        Map<String, Object> java = object(top.get("java"));
        Map<String, Object> c = object(top.get("c"));
        for (String stage : STAGES) {
            for (Map<String, Object> side : List.of(java, c)) {
                Map<String, Object> stats = object(side.get(stage));
                assertEquals(STAT_KEYS, stats.keySet(), stage);
                assertEquals(2000.0, number(stats.get("count")), stage);
                double p50 = number(stats.get("p50"));
                double p999 = number(stats.get("p999"));
                double max = number(stats.get("max"));
                assertTrue(p50 >= 0 && p50 <= p999 && p999 <= max, stage + " " + stats);
            }
        }
        assertEquals(Set.copyOf(concat(STAGES, "allocatedBytesPerEvent", "cpuNanosPerEvent", "threads")), java.keySet());
        assertEquals(Set.copyOf(concat(STAGES, "cpuNanosPerEvent", "threads")), c.keySet());
        for (Map<String, Object> side : List.of(java, c)) {
            assertTrue(number(side.get("cpuNanosPerEvent")) > 0, "CPU per event");
            @SuppressWarnings("unchecked")
            List<Object> threads = (List<Object>) side.get("threads");
            assertTrue(threads.size() >= 4, threads.toString());
            for (Object t : threads) {
                Map<String, Object> thread = object(t);
                assertEquals(Set.of("name", "role", "tid", "policy", "priority", "cpus", "cpuNanos"), thread.keySet());
                assertEquals("SCHED_OTHER", thread.get("policy"), thread.toString());
            }
        }
        // The path allocates nothing per event. Exactly 0 is what a quiet run reports, but in a full
        // `mvn verify` (one JVM, after the QEMU tests) a one-off allocation of a few hundred bytes
        // sometimes lands on a port thread in the measured window (seen: 344 B over 2,000 events),
        // from the first execution of a rarely taken port-layer path; see docs/performance.md. So this
        // asserts "nothing per event": under 1 byte per event, i.e. under 2,000 bytes in total.
        double perEvent = number(java.get("allocatedBytesPerEvent"));
        assertTrue(perEvent >= 0 && perEvent < 1.0, "bytes allocated per event on the Java port threads: " + perEvent);

        byte[] magic = Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, magic, "a PNG");
        assertTrue(Files.size(png) > 10_000, "a chart, not an empty image");
        java.awt.image.BufferedImage picture = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(IrqPlot.WIDTH, picture.getWidth(), "decodes at its size");
        assertEquals(IrqPlot.height(), picture.getHeight());
        for (String side : List.of("java", "c")) {
            for (String stage : STAGES) {
                String text = Files.readString(hgrm.resolve(side + "-" + stage + ".hgrm"));
                assertTrue(text.contains("Value     Percentile TotalCount 1/(1-Percentile)"), text);
                assertTrue(text.contains("Total count    =         2000]"), side + "-" + stage);
            }
        }
    }

    @Test
    @DisplayName("bench irq table: Java, C and Java/C rows per stage; --no-c skips C and says so")
    void tableAndSkippedC() {
        Result r = run("bench", "irq", "--rate", "max", "--events", "300", "--warmup", "300", "--no-c", "--wait", "spin");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("p50 us"), r.out());
        assertTrue(r.out().contains("wait spin"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("Java +jahci-irq-0 +irq .*SCHED_OTHER.*")), r.out());
        assertTrue(r.out().contains("CPU per event on the port threads"), r.out());
        assertTrue(r.out().contains("C baseline: skipped (--no-c)"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("worker        Java")), r.out());
        assertTrue(r.out().lines().noneMatch(l -> l.contains("Java/C")), r.out());
    }

    @Test
    @DisplayName("bench irq with SyncWithIsr false and the verifier on runs the same pipeline")
    void syncWithIsrFalseVerifierOn() throws Exception {
        Result r = run("--sync-with-isr", "false", "--verifier", "bench", "irq", "--rate", "max", "--events", "300",
                "--warmup", "300", "--no-c", "--json");
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> top = object(r.out().trim());
        assertNull(top.get("c"));
        assertEquals(300.0, number(object(object(top.get("java")).get("workitem")).get("count")));
    }

    @Test
    @DisplayName("bench irq rejects a bad --rate and --events with --seconds (exit 2)")
    void usageErrors() {
        Result r = run("bench", "irq", "--rate", "fast");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--rate fast: give events per second"), r.err());
        r = run("bench", "irq", "--events", "10", "--seconds", "1");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("not both"), r.err());
    }

    @Test
    @DisplayName("--device qemu bench irq: READ completions as the stimulus; doorbell, wake, isr, worker and return from issue")
    @Tag("qemu")
    void deviceRun() throws Exception {
        Result r = run("--device", "qemu", "bench", "irq", "--events", "40", "--warmup", "10", "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.matches("[0-9]+/50 READs, warm-up included; [0-9]+ READs/s.*")), r.err());
        Map<String, Object> top = object(r.out().trim());
        assertNull(top.get("c"));
        Map<String, Object> java = object(top.get("java"));
        assertEquals(Set.of("doorbell", "wake", "isr", "worker", "return", "allocatedBytesPerEvent", "cpuNanosPerEvent",
                "threads", "registerReadsPerCommand", "registerWritesPerCommand"), java.keySet());
        // A READ at least reads IS, PxIS and PxCI or PxSACT in the ISR, and writes PxCI to issue it.
        assertTrue(number(java.get("registerReadsPerCommand")) >= 3, java.toString());
        assertTrue(number(java.get("registerWritesPerCommand")) >= 1, java.toString());
        for (String stage : List.of("doorbell", "wake", "isr", "worker", "return")) {
            assertEquals(40.0, number(object(java.get(stage)).get("count")), stage);
        }
        // Per event, wake <= isr <= worker <= return and doorbell <= return hold (each follows the one
        // before on one chain), so their p50s are ordered too. Doorbell and wake are not ordered: the
        // doorbell stamp is taken when StartIo has returned, after the PxCI write's qtest round trip,
        // and QEMU may raise the interrupt, and the interrupt thread wake, before that reply arrives.
        double doorbell = p50(java, "doorbell");
        double wake = p50(java, "wake");
        double isr = p50(java, "isr");
        double worker = p50(java, "worker");
        double back = p50(java, "return");
        assertTrue(wake <= isr && isr <= worker && worker <= back, "wake, isr, worker, return in order: " + java);
        assertTrue(doorbell <= back, "the doorbell before the caller's return: " + java);
        r = run("--device", "qemu", "--completion", "poll", "bench", "irq", "--events", "4");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("use --completion interrupt"), r.err());
    }

    private static double p50(Map<String, Object> java, String stage) {
        return number(object(java.get(stage)).get("p50"));
    }

    private static List<String> concat(List<String> a, String... more) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(List.of(more));
        return out;
    }
}
