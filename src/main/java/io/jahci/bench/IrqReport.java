package io.jahci.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import io.jahci.platform.Json;
import org.HdrHistogram.Histogram;

/**
 * What {@code bench irq} prints and writes: the side-by-side table, the JSON, HdrHistogram
 * percentile files and the percentile plot. Java is always there; C may be absent (skipped, or a
 * device run, which has no C counterpart).
 */
public final class IrqReport {

    private final LatencyRecorder java;
    private final double javaAllocatedBytesPerEvent;
    private final LatencyRecorder c;
    private List<BenchThread> javaThreads = List.of();
    private List<BenchThread> cThreads = List.of();
    private long javaEvents;
    private long cEvents;
    private io.jahci.hw.RegisterCounts.PerCommand registers;

    public IrqReport(LatencyRecorder java, double javaAllocatedBytesPerEvent, LatencyRecorder c) {
        this.java = java;
        this.javaAllocatedBytesPerEvent = javaAllocatedBytesPerEvent;
        this.c = c;
    }

    /** Adds each side's threads as the kernel reported them, with the measured event counts (for CPU per event). */
    public IrqReport threads(List<BenchThread> java, long javaEvents, List<BenchThread> c, long cEvents) {
        this.javaThreads = List.copyOf(java);
        this.javaEvents = javaEvents;
        this.cThreads = List.copyOf(c);
        this.cEvents = cEvents;
        return this;
    }

    /** Adds the register accesses per command of a device run. */
    public IrqReport registers(io.jahci.hw.RegisterCounts.PerCommand perCommand) {
        this.registers = perCommand;
        return this;
    }

    public LatencyRecorder java() {
        return java;
    }

    public LatencyRecorder c() {
        return c;
    }

    // ---------------------------------------------------------------- table

    /** Per stage: a Java row, a C row and their ratio, at p50, p90, p99, p99.9 and max, in us. */
    public void printTable(PrintWriter out) {
        out.printf(Locale.ROOT, "%-13s %-7s %10s %10s %10s %10s %10s%n", "stage", "", "p50 us", "p90 us", "p99 us",
                "p99.9 us", "max us");
        for (Map.Entry<Stage, StageStats> e : java.stats().entrySet()) {
            Stage stage = e.getKey();
            long[] j = values(e.getValue());
            out.printf(Locale.ROOT, "%-13s %-7s%s%n", stage.key(), "Java", cells(j));
            StageStats cs = c == null ? null : c.stats().get(stage);
            if (cs != null) {
                long[] cv = values(cs);
                out.printf(Locale.ROOT, "%-13s %-7s%s%n", "", "C", cells(cv));
                StringBuilder ratio = new StringBuilder();
                for (int i = 0; i < j.length; i++) {
                    ratio.append(String.format(Locale.ROOT, " %10s", cv[i] == 0 ? "-"
                            : String.format(Locale.ROOT, "%.2fx", (double) j[i] / cv[i])));
                }
                out.printf(Locale.ROOT, "%-13s %-7s%s%n", "", "Java/C", ratio);
            }
        }
    }

    /**
     * One row per thread: tid, policy, priority and CPUs as the kernel reported them during the
     * run, and the CPU time per measured event; then the port threads' CPU per event of each side.
     */
    public void printThreads(PrintWriter out) {
        out.printf(Locale.ROOT, "%-5s %-22s %-9s %8s %-12s %4s %-8s %14s%n", "side", "thread", "role", "tid", "policy",
                "prio", "CPUs", "CPU us/event");
        printThreads(out, "Java", javaThreads, javaEvents);
        printThreads(out, "C", cThreads, cEvents);
        out.printf(Locale.ROOT, "CPU per event on the port threads (irq + dispatch + workitem): Java %.2f us%s%n",
                BenchThread.portCpuNanosPerEvent(javaThreads, javaEvents) / 1000.0, cThreads.isEmpty() ? ""
                        : String.format(Locale.ROOT, ", C %.2f us", BenchThread.portCpuNanosPerEvent(cThreads, cEvents) / 1000.0));
    }

    private static void printThreads(PrintWriter out, String side, List<BenchThread> threads, long events) {
        for (BenchThread t : threads) {
            out.printf(Locale.ROOT, "%-5s %-22s %-9s %8d %-12s %4d %-8s %14s%n", side, t.name(), t.role(), t.tid(),
                    t.policy(), t.priority(), t.cpus(), t.cpuNanos() < 0 || events == 0 ? "-"
                            : String.format(Locale.ROOT, "%.2f", t.cpuNanos() / 1000.0 / events));
        }
    }

    private static long[] values(StageStats s) {
        return new long[] {s.p50(), s.p90(), s.p99(), s.p999(), s.max()};
    }

    private static String cells(long[] ns) {
        StringBuilder b = new StringBuilder();
        for (long v : ns) {
            b.append(String.format(Locale.ROOT, " %10.1f", v / 1000.0));
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- JSON

    /**
     * {@code {"java": {"<stage>": {"count":N,"p50":ns,"p90":ns,"p99":ns,"p999":ns,"max":ns}, ...,
     * "allocatedBytesPerEvent": x, "cpuNanosPerEvent": x, "threads": [{"name","role","tid","policy",
     * "priority","cpus","cpuNanos"}, ...]}, "c": {"<stage>": {...}, "cpuNanosPerEvent", "threads"}}};
     * {@code "c": null} when there is no C side. A device run adds {@code "registerReadsPerCommand"}
     * and {@code "registerWritesPerCommand"} to {@code "java"}.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> javaSide = stages(java);
        javaSide.put("allocatedBytesPerEvent", Json.number(javaAllocatedBytesPerEvent));
        putThreads(javaSide, javaThreads, javaEvents);
        if (registers != null) {
            javaSide.put("registerReadsPerCommand", Json.number(registers.reads()));
            javaSide.put("registerWritesPerCommand", Json.number(registers.writes()));
        }
        Map<String, Object> cSide = null;
        if (c != null) {
            cSide = stages(c);
            putThreads(cSide, cThreads, cEvents);
        }
        Map<String, Object> json = Json.object();
        json.put("java", javaSide);
        json.put("c", cSide);
        return json;
    }

    /** {@code "cpuNanosPerEvent"} of the port threads and {@code "threads"} as the kernel reported them. */
    private static void putThreads(Map<String, Object> side, List<BenchThread> threads, long events) {
        side.put("cpuNanosPerEvent", Json.number(BenchThread.portCpuNanosPerEvent(threads, events)));
        List<Object> list = new ArrayList<>();
        for (BenchThread t : threads) {
            Map<String, Object> thread = Json.object();
            thread.put("name", t.name());
            thread.put("role", t.role());
            thread.put("tid", t.tid());
            thread.put("policy", t.policy());
            thread.put("priority", t.priority());
            thread.put("cpus", t.cpus());
            thread.put("cpuNanos", t.cpuNanos());
            list.add(thread);
        }
        side.put("threads", list);
    }

    private static Map<String, Object> stages(LatencyRecorder r) {
        Map<String, Object> json = Json.object();
        for (Map.Entry<Stage, StageStats> e : r.stats().entrySet()) {
            json.put(e.getKey().key(), e.getValue().toJson());
        }
        return json;
    }

    // ---------------------------------------------------------------- hgrm

    /** Writes {@code java-<stage>.hgrm} and {@code c-<stage>.hgrm}, values in us; returns the files. */
    public List<Path> writeHgrm(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        writeHgrm(dir, "java", java, files);
        if (c != null) {
            writeHgrm(dir, "c", c, files);
        }
        return files;
    }

    private static void writeHgrm(Path dir, String side, LatencyRecorder r, List<Path> files) throws IOException {
        for (Map.Entry<Stage, Histogram> e : r.histograms().entrySet()) {
            Path file = dir.resolve(side + "-" + e.getKey().key() + ".hgrm");
            Hgrm.write(file, e.getValue());
            files.add(file);
        }
    }

    // ---------------------------------------------------------------- plot

    /**
     * Draws each stage's latency by percentile, Java solid and C dashed, under {@code title} and the lines of
     * {@code subtitle} (the run, the machine): see {@link IrqPlot}. Saves a PNG.
     */
    public void plot(Path file, String title, List<String> subtitle) throws IOException {
        IrqPlot.save(file, title, subtitle, java, c);
    }
}
