package io.jahci.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import io.jahci.platform.Json;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * What {@code bench irq} prints and writes: the side-by-side table, the JSON, HdrHistogram
 * percentile files and the percentile plot. Java is always there; C may be absent (skipped, or a
 * device run, which has no C counterpart).
 */
public final class IrqReport {
    static final double[] PERCENTILES = {50, 90, 99, 99.9};
    /** Stages drawn in the plot, when present. */
    static final List<Stage> PLOTTED = List.of(Stage.WAKE, Stage.ISR, Stage.WORKER, Stage.WORKITEM, Stage.RETURN);
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0xff7f0e)};

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

    /** Per stage: a Java row, a C row and their ratio, at p50, p90, p99, p99.9 and max, in µs. */
    public void printTable(PrintWriter out) {
        out.printf(Locale.ROOT, "%-13s %-7s %10s %10s %10s %10s %10s%n", "stage", "", "p50 µs", "p90 µs", "p99 µs",
                "p99.9 µs", "max µs");
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
                "prio", "CPUs", "CPU µs/event");
        printThreads(out, "Java", javaThreads, javaEvents);
        printThreads(out, "C", cThreads, cEvents);
        out.printf(Locale.ROOT, "CPU per event on the port threads (irq + dispatch + workitem): Java %.2f µs%s%n",
                BenchThread.portCpuNanosPerEvent(javaThreads, javaEvents) / 1000.0, cThreads.isEmpty() ? ""
                        : String.format(Locale.ROOT, ", C %.2f µs", BenchThread.portCpuNanosPerEvent(cThreads, cEvents) / 1000.0));
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

    /** Writes {@code java-<stage>.hgrm} and {@code c-<stage>.hgrm}, values in µs; returns the files. */
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
            try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, "UTF-8")) {
                e.getValue().outputPercentileDistribution(out, 5, 1000.0);
            }
            files.add(file);
        }
    }

    // ---------------------------------------------------------------- plot

    /**
     * Draws the latency-by-percentile curves of Java (solid) and C (dashed) for the main stages on
     * one chart, HdrHistogram-plotter style: the x axis is log10(1/(1-percentile)), labelled as
     * percentiles (0 = 0%, 1 = 90%, 2 = 99%, 3 = 99.9%, ...); the y axis is latency in µs on a log
     * scale. Saves a PNG.
     */
    public void plot(Path file, String title) throws IOException {
        XYChart chart = new XYChartBuilder().width(1100).height(650).title(title + " - Java solid, C dashed")
                .xAxisTitle("percentile").yAxisTitle("latency from intended send (µs)").build();
        var styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.InsideNW);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setYAxisLogarithmic(true);
        styler.setMarkerSize(0);
        double nines = 1;
        int colour = 0;
        for (Stage stage : PLOTTED) {
            Histogram jh = java.histogram(stage);
            if (jh == null || jh.getTotalCount() == 0) {
                continue;
            }
            Color color = COLORS[colour++ % COLORS.length];
            nines = Math.max(nines, addSeries(chart, "Java " + stage.key(), jh, color, SeriesLines.SOLID));
            Histogram ch = c == null ? null : c.histogram(stage);
            if (ch != null && ch.getTotalCount() > 0) {
                nines = Math.max(nines, addSeries(chart, "C " + stage.key(), ch, color, new BasicStroke(2.0f,
                        BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10.0f, new float[] {6.0f, 4.0f}, 0.0f)));
            }
        }
        styler.setXAxisMin(0.0);
        double axisMax = Math.ceil(nines);
        styler.setXAxisMax(axisMax);
        styler.setxAxisTickLabelsFormattingFunction(x -> percentileLabel(x, axisMax));
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (var out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    /** Adds one curve; returns its largest x (log10 of the number of values: the max is "1 in N"). */
    private static double addSeries(XYChart chart, String name, Histogram h, Color color, BasicStroke stroke) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        double last = Math.log10(Math.max(10, h.getTotalCount()));
        for (HistogramIterationValue v : h.percentiles(5)) {
            double p = v.getPercentileLevelIteratedTo() / 100.0;
            double x = p >= 1 ? last : Math.min(last, Math.log10(1 / (1 - p)));
            xs.add(x);
            ys.add(Math.max(0.001, v.getValueIteratedTo() / 1000.0));
        }
        XYSeries s = chart.addSeries(name, xs, ys);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(stroke);
        return last;
    }

    /**
     * log10(1/(1-p)) as a percentile: 0 -> "0%", 1 -> "90%", 2 -> "99%", 3 -> "99.9%", 0.5 -> "68.4%".
     * XChart also formats candidate ticks outside the axis and keeps coarsening its grid until every
     * label is distinct, so values outside [0, {@code axisMax}] get a distinct (never drawn) label.
     */
    static String percentileLabel(double x, double axisMax) {
        if (x < 0 || x > axisMax) {
            return Double.toString(x);
        }
        double p = 100 * (1 - Math.pow(10, -x));
        int decimals = (int) Math.max(0, Math.ceil(x - 1e-9) - 2);
        if (Math.abs(x - Math.rint(x)) > 1e-9) {
            decimals = Math.max(decimals, 1);
        }
        return String.format(Locale.ROOT, "%." + decimals + "f%%", p);
    }
}
