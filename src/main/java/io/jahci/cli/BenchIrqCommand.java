package io.jahci.cli;

import io.jahci.ataport.PortDriverOptions;
import io.jahci.bench.BenchThread;
import io.jahci.disk.DeviceSpec;
import io.jahci.platform.Json;
import io.jahci.bench.CBaseline;
import io.jahci.bench.DeviceIrqBench;
import io.jahci.bench.IrqReport;
import io.jahci.bench.IrqSettings;
import io.jahci.bench.JavaIrqPipeline;
import io.jahci.bench.LatencyRecorder;
import io.jahci.bench.Machine;
import io.jahci.bench.QtestNote;
import io.jahci.bench.RawRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jahci bench irq}: interrupt-to-worker latency of the port layer against the same pipeline
 * in C, in one run. With a global {@code --device}, real READ completions are the stimulus.
 */
@Command(name = "irq", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Interrupt-to-worker latency: a stimulus thread signals an eventfd interrupt source on a fixed "
                + "schedule (or back to back); the port layer's interrupt thread wakes, runs the ISR under the "
                + "interrupt lock, the ISR requests a worker routine, which requests a synchronized routine and "
                + "queues a Storport work item. Each stage's latency from the event's intended send time goes into "
                + "HdrHistogram. The same pipeline in C (pthreads, eventfd; compiled with gcc at run time) runs first "
                + "in the same invocation, on the same schedule.",
                "With the global --device, real 1-sector READ completions are the stimulus instead (no C side)."})
final class BenchIrqCommand implements Callable<Integer> {
    /** Sustained by the 2-core machine docs/performance.md was measured on, with headroom: see there. */
    static final double DEFAULT_RATE = 5000;
    static final int DEFAULT_EVENTS = 50_000;
    static final int DEFAULT_WARMUP = 20_000;
    static final int DEVICE_DEFAULT_EVENTS = 2000;
    static final int DEVICE_DEFAULT_WARMUP = 200;
    /** Back to back with a time bound: stamp arrays are sized for this many events per second. */
    static final int BACK_TO_BACK_CAPACITY_PER_SECOND = 400_000;
    static final int MAX_EVENTS = 20_000_000;
    /** How often the progress line is refreshed while the pipelines run on their own threads. */
    static final long TICK_MILLIS = 500;

    /** The version of the --json document's layout (docs/json.md). */
    static final int SCHEMA = 1;

    @ParentCommand
    BenchCommand bench;

    @Spec
    CommandSpec spec;

    @Option(names = "--rate", paramLabel = "N|max",
            description = "Events per second on a fixed schedule, or 'max' for back to back (the next event is sent "
                    + "when the previous one reached its work item). Default: " + (int) DEFAULT_RATE + ".")
    OptionTypes.Rate rate;

    @Option(names = "--events", paramLabel = "N", description = "Measured events. Default: " + DEFAULT_EVENTS
            + " (with --device: " + DEVICE_DEFAULT_EVENTS + " READs).")
    Integer events;

    @Option(names = "--seconds", paramLabel = "DURATION", description = "Measure this long instead of --events, "
            + "e.g. 10s, 500ms; a bare number is seconds.")
    Duration seconds;

    @Option(names = "--warmup", paramLabel = "N|DURATION", description = "Warm-up before measuring, excluded from every "
            + "number: N events, or a duration with its unit (2s, 500ms). Default: " + DEFAULT_WARMUP + " events (with "
            + "--device: " + DEVICE_DEFAULT_WARMUP + ").")
    OptionTypes.Warmup warmup;

    @Option(names = "--dispatch-threads", paramLabel = "N", defaultValue = "1",
            description = "DISPATCH worker threads of the port layer (the C pipeline has one worker). "
                    + "Default: ${DEFAULT-VALUE}.")
    int dispatchThreads;

    @Option(names = "--no-c", description = "Skip the C baseline (e.g. without gcc).")
    boolean noC;

    @Option(names = "--json", description = "Print only JSON (docs/json.md): {\"jahciVersion\", \"schema\", \"device\" "
            + "(with --device), \"java\": {\"<stage>\": {\"count\",\"p50\",\"p90\","
            + "\"p99\",\"p999\",\"max\"}, ..., \"allocatedBytesPerEvent\", \"cpuNanosPerEvent\", \"threads\": [{\"name\","
            + "\"role\",\"tid\",\"policy\",\"priority\",\"cpus\",\"cpuNanos\"}]}, \"c\": {...} or null}, times in ns; "
            + "with --device also \"registerReadsPerCommand\", \"registerWritesPerCommand\".")
    boolean json;

    @Option(names = "--hgrm", paramLabel = "DIR", description = "Write HdrHistogram percentile distributions "
            + "(java-<stage>.hgrm, c-<stage>.hgrm; values in us) into DIR.")
    Path hgrm;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw the latency percentile distributions of "
            + "Java and C on one chart (PNG).")
    Path plot;

    /** What a stop signal reports as done so far. */
    private volatile String doneSoFar = "nothing measured yet";

    @Override
    public Integer call() throws Exception {
        try (StopSignals stop = StopSignals.summarizeAndExit(spec.commandLine().getErr(), () -> doneSoFar)) {
            return measure();
        }
    }

    private Integer measure() throws Exception {
        Main main = bench.main;
        PrintWriter out = spec.commandLine().getOut();
        boolean verifier = main.verifier || Boolean.getBoolean("jahci.verifier");
        if (dispatchThreads < 1) {
            throw new Main.UsageException("--dispatch-threads must be at least 1");
        }
        if (main.device != null) {
            return device(main, out, verifier);
        }
        IrqSettings settings = settings(main, verifier);
        String machine = Machine.describe();
        boolean timeBound = settings.warmupNanos() > 0 || settings.runNanos() > 0;
        Progress progress = new Progress(spec.commandLine().getErr(), (ms, totalMs, x) -> String.format(Locale.ROOT,
                "C baseline: %.1f s%s", ms / 1000.0, totalMs > 0 ? String.format(Locale.ROOT, " of %.1f s", totalMs / 1000.0)
                        : " (back to back, no schedule)"), null);

        LatencyRecorder c = null;
        List<BenchThread> cThreads = List.of();
        long cEvents = 0;
        String cNote;
        if (noC) {
            cNote = "C baseline: skipped (--no-c)";
        } else {
            try (CBaseline baseline = CBaseline.build()) {
                doneSoFar = "nothing measured yet: the C baseline was running";
                long began = System.nanoTime();
                long scheduleMillis = timeBound ? (settings.warmupNanos() + settings.runNanos()) / 1_000_000
                        : settings.backToBack() ? 0 : Math.round((settings.warmupEvents() + settings.events()) * 1000.0
                        / settings.rate());
                CBaseline.Run cResult;
                try (AutoCloseable tick = progress.tick(() -> (System.nanoTime() - began) / 1_000_000, scheduleMillis,
                        TICK_MILLIS)) {
                    cResult = baseline.run(settings);
                }
                RawRun cRun = cResult.stamps();
                doneSoFar = "the C baseline measured " + cRun.measured() + " events; the Java pipeline was running"
                        + " (nothing printed: Java and C are reported together)";
                c = LatencyRecorder.record(cRun);
                cThreads = cResult.threads();
                cEvents = cRun.measured();
                cNote = String.format(Locale.ROOT, "C baseline: %s, %d warm-up + %d measured events (built with %s)",
                        "native/bench/irqbench.c", cRun.warmup(), cRun.measured(), baseline.compiler());
            }
        }
        if (c == null) {
            doneSoFar = "nothing measured yet: the Java pipeline was running";
        }
        JavaIrqPipeline pipeline = JavaIrqPipeline.create(settings);
        progress.phase((done, total, x) -> String.format(Locale.ROOT, "Java pipeline: %d%s events signalled, warm-up "
                + "included", done, total > 0 ? "/" + total : ""), Progress.perSecond("events"));
        JavaIrqPipeline.Result j;
        try (AutoCloseable tick = progress.tick(pipeline::sent, timeBound ? 0 : settings.warmupEvents() + settings.events(),
                TICK_MILLIS)) {
            j = pipeline.execute();
        }
        progress.done();
        LatencyRecorder java = LatencyRecorder.record(j.run());
        IrqReport report = new IrqReport(java, j.allocatedBytesPerEvent(), c)
                .threads(j.threads(), j.run().measured(), cThreads, cEvents);

        String runLine = String.format(Locale.ROOT, "schedule: %s; %d warm-up + %d measured events; wait %s (%d dispatch "
                + "thread%s); SyncWithIsr %s; verifier %s; asked for: %s%s", describeRate(settings), j.run().warmup(),
                j.run().measured(), main.scheduling.wait, dispatchThreads, dispatchThreads == 1 ? "" : "s", main.syncWithIsr,
                verifier ? "on" : "off", main.placement.describe(), main.scheduling.mlockall ? "; mlockall" : "");
        if (json) {
            Map<String, Object> doc = JsonDocument.start(SCHEMA);
            doc.putAll(report.toJson());
            out.println(Json.write(doc));
        } else {
            out.printf(Locale.ROOT, "jahci bench irq: port layer (Java) vs the same pipeline in C, one after the other%n");
            out.println(runLine);
            out.printf(Locale.ROOT, "latency of each stage from the event's intended send time (coordinated omission: "
                    + "measured from the schedule), HdrHistogram 3 digits%n%n");
            report.printTable(out);
            out.println();
            out.println("threads as the kernel reported them during the run (sched_getscheduler/sched_getaffinity of each tid):");
            report.printThreads(out);
            out.println();
            out.printf(Locale.ROOT, "Java: %s bytes allocated per event on the port threads (%s) over %d events; "
                    + "%d interrupts for %d events; %d verifier warnings; %.2f s%s%n",
                    Json.number(j.allocatedBytesPerEvent()), perThread(j.allocatedBytesByThread()),
                    j.run().measured(), j.interrupts(), j.run().total(), j.verifierWarnings(), j.seconds(),
                    j.timerSlackSet() ? "" : " (the stimulus could not set a 1 ns timer slack)");
            out.println(cNote);
        }
        writeFiles(report, out, "jahci bench irq: interrupt-to-worker latency by percentile, Java port layer (solid)"
                + (c == null ? ", no C baseline" : " vs the same pipeline in C (dashed)"), List.of(runLine, machine,
                "latency of each stage from the event's intended send time (coordinated omission corrected)"));
        return 0;
    }

    private Integer device(Main main, PrintWriter out, boolean verifier) throws Exception {
        if (rate != null || seconds != null || noC) {
            throw new Main.UsageException("with --device the stimulus is the READ itself (one at a time): "
                    + "--rate, --seconds and --no-c do not apply");
        }
        if (main.scheduling.completion.polls()) {
            throw new Main.UsageException("bench irq --device measures the interrupt path: use --completion interrupt; "
                    + "bench io measures every completion mode");
        }
        int n = events == null ? DEVICE_DEFAULT_EVENTS : events;
        if (warmup != null && warmup.duration() != null) {
            throw new Main.UsageException("--warmup " + warmup.duration().toMillis() + "ms: with --device the warm-up is "
                    + "a number of READs (e.g. --warmup 200)");
        }
        int w = warmup == null ? DEVICE_DEFAULT_WARMUP : warmup.events();
        if (n < 1) {
            throw new Main.UsageException("--events " + n + ": must be at least 1 (e.g. --events 2000)");
        }
        doneSoFar = "nothing reported: " + w + " warm-up + " + n + " READs were running";
        String machine = Machine.describe();
        Progress progress = new Progress(spec.commandLine().getErr(), (done, total, x) -> String.format(Locale.ROOT,
                "%d/%d READs, warm-up included", done, total), Progress.perSecond("READs"));
        DeviceIrqBench.Result r = DeviceIrqBench.run(main.device, w, n, main.syncWithIsr, verifier,
                new PortDriverOptions().waitMode(main.scheduling.wait).threadPlacement(main.placement).dispatchThreads(dispatchThreads),
                done -> progress.update(done, w + n, 0));
        progress.done();
        boolean qemu = DeviceSpec.parse(main.device).kind() == DeviceSpec.Kind.QEMU;
        String runLine = String.format(Locale.ROOT, "%d warm-up + %d measured READs; wait %s (%d dispatch thread%s); "
                + "SyncWithIsr %s; verifier %s", w, n, main.scheduling.wait, dispatchThreads, dispatchThreads == 1 ? "" : "s",
                main.syncWithIsr, verifier ? "on" : "off");
        LatencyRecorder java = LatencyRecorder.record(r.run());
        IrqReport report = new IrqReport(java, r.allocatedBytesPerEvent(), null)
                .threads(r.threads(), r.run().measured(), List.of(), 0).registers(r.registers());
        if (json) {
            Map<String, Object> doc = JsonDocument.start(SCHEMA);
            doc.put("device", JsonDocument.device(DeviceSpec.parse(main.device)));
            doc.putAll(report.toJson());
            out.println(Json.write(doc));
        } else {
            out.printf(Locale.ROOT, "jahci bench irq on %s: 1-sector READ DMA EXT at LBA 0, one at a time%n", r.device());
            out.println(runLine);
            out.printf(Locale.ROOT, "latency from issue (just before the READ enters the port) to: doorbell = StartIo "
                    + "returned (BuildIo done, slot taken, PxSACT/PxCI written), wake = the thread waiting on the "
                    + "interrupt woke (usually the reading caller itself, which takes its own interrupt), isr = ISR entered, "
                    + "worker = completion dispatched at DISPATCH (after the ISR, on the same thread), "
                    + "return = caller resumed%n%n");
            report.printTable(out);
            out.println();
            report.printThreads(out);
            out.printf(Locale.ROOT, "register accesses per READ: %.2f reads, %.2f writes%n", r.registers().reads(),
                    r.registers().writes());
            if (qemu) {
                out.println("NOTE: " + QtestNote.text(r.registerAccessNanos()) + ".");
            }
            out.println("No C baseline exists for this mode.");
            out.printf(Locale.ROOT, "Java: %s bytes allocated per READ on the interrupt and dispatch threads (%s); %.2f s%n",
                    Json.number(r.allocatedBytesPerEvent()), perThread(r.allocatedBytesByThread()),
                    r.seconds());
        }
        List<String> subtitle = new java.util.ArrayList<>(List.of(runLine, r.device(), machine,
                "latency of each stage from issue, just before the READ enters the port"));
        if (qemu) {
            subtitle.add(QtestNote.text(r.registerAccessNanos()));
        }
        writeFiles(report, out, "jahci bench irq: 1-sector READ latency by percentile, from issue", subtitle);
        return 0;
    }

    private void writeFiles(IrqReport report, PrintWriter out, String title, List<String> subtitle) throws Exception {
        if (hgrm != null) {
            var files = report.writeHgrm(hgrm);
            if (!json) {
                out.println("wrote " + files.size() + " percentile distributions to " + hgrm);
            }
        }
        if (plot != null) {
            report.plot(plot, title, subtitle);
            if (!json) {
                out.println("wrote " + plot);
            }
        }
    }

    /** The settings shared by Java and C, from the options. */
    IrqSettings settings(Main main, boolean verifier) throws Main.UsageException {
        double r = rate == null ? DEFAULT_RATE : rate.perSecond();
        if (events != null && seconds != null) {
            throw new Main.UsageException("give --events or --seconds, not both (e.g. --seconds 10s)");
        }
        long runNanos = 0;
        int n;
        if (seconds != null) {
            double s = seconds.toNanos() / 1e9;
            if (s <= 0) {
                throw new Main.UsageException("--seconds 0: must be more than 0 (e.g. --seconds 10s)");
            }
            if (r > 0) {
                n = checkedEvents(Math.round(r * s), "--seconds");
            } else {
                n = checkedEvents(Math.round(BACK_TO_BACK_CAPACITY_PER_SECOND * s), "--seconds");
                runNanos = seconds.toNanos();
            }
        } else {
            n = events == null ? DEFAULT_EVENTS : events;
        }
        if (n < 1) {
            throw new Main.UsageException("--events " + n + ": must be at least 1 (e.g. --events 50000)");
        }
        long warmupNanos = 0;
        int w;
        if (warmup != null && warmup.duration() != null) {
            double s = warmup.duration().toNanos() / 1e9;
            if (r > 0) {
                w = checkedEvents(Math.round(r * s), "--warmup");
            } else {
                w = checkedEvents(Math.round(BACK_TO_BACK_CAPACITY_PER_SECOND * s), "--warmup");
                warmupNanos = warmup.duration().toNanos();
            }
        } else {
            w = warmup == null ? DEFAULT_WARMUP : warmup.events();
        }
        if ((long) n + w > MAX_EVENTS) {
            throw new Main.UsageException("at most " + MAX_EVENTS + " warm-up and measured events in one run");
        }
        return new IrqSettings(r, w, n, warmupNanos, runNanos, main.scheduling.wait, main.syncWithIsr, verifier,
                dispatchThreads, main.placement, main.scheduling.mlockall);
    }

    private static int checkedEvents(long n, String option) throws Main.UsageException {
        if (n > MAX_EVENTS) {
            throw new Main.UsageException(option + " asks for " + n + " events; at most " + MAX_EVENTS);
        }
        return (int) n;
    }

    private static String describeRate(IrqSettings s) {
        return s.backToBack() ? "back to back" : String.format(Locale.ROOT, "%s events/s (one every %s us)",
                Json.number(s.rate()), Json.number(s.periodNanos() / 1000.0));
    }

    private static String perThread(Map<String, Long> bytes) {
        StringJoiner j = new StringJoiner(", ");
        bytes.forEach((name, b) -> j.add(name + " " + b + " B"));
        return j.toString();
    }
}
