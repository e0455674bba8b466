package io.jahci.cli;

import io.jahci.ataport.CompletionMode;
import io.jahci.platform.Json;
import io.jahci.bench.Hgrm;
import io.jahci.bench.IoBench;
import io.jahci.bench.IoPlot;
import io.jahci.bench.QtestNote;
import io.jahci.disk.DeviceSpec;
import io.jahci.bench.IoCosts;
import io.jahci.bench.StageStats;
import io.jahci.disk.Controller;
import io.jahci.disk.Disk;
import io.jahci.hw.RegisterCounts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code jahci bench io}: IOPS, bandwidth and latency percentiles on one disk, fio-like. */
@Command(name = "io", mixinStandardHelpOptions = true,
        description = "Sequential or random reads or writes of one block size with N requests in flight for S "
                + "seconds: IOPS, MB/s and latency percentiles. Writes need --allow-write.")
final class BenchIoCommand implements Callable<Integer> {
    @ParentCommand
    BenchCommand bench;

    @Spec
    CommandSpec spec;

    @Option(names = "--port", required = true, paramLabel = "N", description = "Port of the disk.")
    int port;

    @Option(names = "--rw", paramLabel = "PATTERN", description = "read, write, randread or randwrite (required unless --jobs).")
    IoBench.Pattern rw;

    @Option(names = "--bs", paramLabel = "SIZE", defaultValue = "4k", converter = Sizes.Converter.class,
            description = "Block size, e.g. 4k, 128k, 1m, up to 64m (default ${DEFAULT-VALUE}).")
    long blockSize;

    @Option(names = "--qd", paramLabel = "N", defaultValue = "1", description = "Requests in flight, 1..32 (default ${DEFAULT-VALUE}).")
    int queueDepth;

    @Option(names = "--seconds", paramLabel = "DURATION", defaultValue = "5",
            description = "How long, e.g. 5s, 500ms; a bare number is seconds (default ${DEFAULT-VALUE}).")
    Duration seconds;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "0",
            description = "Run the same job this long first, unmeasured (JIT, caches), then measure, e.g. 2s, 500ms; a "
                    + "bare number is seconds (default ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--warmup-jit-idle",
            description = "After --warmup, go on warming up in rounds of 1 s until two rounds in a row in which the JIT's "
                    + "compiler threads used under 5 ms of CPU (at most " + IoBench.JIT_IDLE_ROUNDS + " rounds), so that the "
                    + "window measures compiled code; the JSON's warmupSeconds says how long it took.")
    boolean warmupJitIdle;

    @Option(names = "--jobs", paramLabel = "RW:BS:QD", split = ",", splitSynopsisLabel = ",",
            description = "Several jobs in one run instead of --rw/--bs/--qd, e.g. randread:4k:1,read:128k:1; with "
                    + "--completions each mode opens the controller once and runs every job.")
    List<OptionTypes.Job> jobs;

    @Option(names = "--completions", paramLabel = "MODE", split = ",", splitSynopsisLabel = ",",
            description = "Run the job once per completion mode (interrupt, hybrid, poll), each on a freshly opened "
                    + "controller, in one JVM (one result per mode). Default: the global --completion alone.")
    List<CompletionMode> completions;

    @Option(names = "--size", paramLabel = "SIZE", converter = Sizes.Converter.class,
            description = "Region at the start of the disk to use, e.g. 1g, 500GiB; at most the disk (default: all of it).")
    Long region;

    @Option(names = "--allow-write", description = "Confirm that write and randwrite may overwrite the disk.")
    boolean allowWrite;

    @Option(names = "--hgrm", paramLabel = "DIR", description = "Write each job's latency percentile distribution "
            + "(HdrHistogram .hgrm, values in us) to DIR/JOB.hgrm, JOB as in randread-4k-qd1 (with --completions "
            + "randread-4k-qd1-poll).")
    java.nio.file.Path hgrm;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw each job's latency by percentile and its "
            + "completions per second in 100 ms intervals, warm-up included (PNG).")
    java.nio.file.Path plot;

    @Option(names = "--json", description = "Print one JSON document: {\"jahciVersion\",\"schema\",\"device\",\"runs\":"
            + "[{\"completion\",\"rw\",\"bs\",\"qd\",\"iops\",\"bytesPerSecond\",\"latency\":{\"p50\":ns,...}, ...}]} "
            + "(docs/json.md).")
    boolean json;

    /** The version of the --json document's layout (docs/json.md). */
    static final int SCHEMA = 1;

    @Override
    public Integer call() throws Exception {
        List<OptionTypes.Job> list = new ArrayList<>();
        if (jobs == null) {
            if (rw == null) {
                throw new Main.UsageException("bench io needs --rw PATTERN (or --jobs RW:BS:QD,...), e.g. --rw randread");
            }
            list.add(new OptionTypes.Job(rw.name().toLowerCase(Locale.ROOT), rw, blockSize, queueDepth));
        } else {
            list.addAll(jobs);
        }
        for (OptionTypes.Job job : list) {
            check(job);
        }
        PrintWriter out = spec.commandLine().getOut();
        String machine = io.jahci.bench.Machine.describe();
        List<IoPlot.Job> plotted = new ArrayList<>();
        List<String> device = new ArrayList<>();
        List<CompletionMode> modes = completions == null ? List.of(bench.main.scheduling.completion) : completions;
        List<Map<String, Object>> runs = new ArrayList<>();
        Map<String, Object> doc = null;
        for (CompletionMode mode : modes) {
            RegisterCounts counts = new RegisterCounts();
            try (Controller controller = bench.main.open(allowWrite, mode, counts)) {
                if (doc == null) {
                    doc = JsonDocument.start(SCHEMA, controller, controller.disk(port));
                }
                for (OptionTypes.Job job : list) {
                    plotted.add(run(controller, new IoCosts(counts, controller::interruptsServiced), mode, job, out, runs,
                            completions != null));
                }
                device.clear();
                device.add(controller.describe());
                if (controller.spec().kind() == DeviceSpec.Kind.QEMU) {
                    device.add(QtestNote.text(0));
                }
            }
        }
        if (plot != null) {
            java.util.List<String> subtitle = new java.util.ArrayList<>(java.util.List.of(String.format(Locale.ROOT,
                    "port %d; %s s per job%s; --completion %s", port, Json.number(seconds.toNanos() / 1e9), !warmup.isZero()
                            ? " after " + Json.number(warmup.toNanos() / 1e9) + " s of warm-up" : "",
                    String.join(",", modes.stream().map(m -> m.name().toLowerCase(Locale.ROOT)).toList()))));
            subtitle.addAll(device);
            subtitle.add(machine);
            IoPlot.save(plot, "jahci bench io: latency by percentile and completions over time", subtitle, plotted);
            if (!json) {
                out.println("wrote " + plot);
            }
        }
        if (json) {
            doc.put("runs", runs);
            out.println(Json.write(doc));
        }
        return 0;
    }

    /** Refuses a job before anything opens: a write without --allow-write, a queue depth or block size out of range. */
    private void check(OptionTypes.Job job) throws Main.UsageException {
        IoBench.Pattern pattern = job.pattern();
        if ((pattern == IoBench.Pattern.WRITE || pattern == IoBench.Pattern.RANDWRITE) && !allowWrite) {
            throw new Main.UsageException("refusing to run --rw " + job.text() + " without --allow-write: it overwrites port "
                    + port + " of " + bench.main.device());
        }
        if (job.queueDepth() < 1 || job.queueDepth() > 32) {
            throw new Main.UsageException("--qd " + job.queueDepth() + ": must be 1..32 (e.g. --qd 32)");
        }
        if (job.blockBytes() > MAX_BLOCK) {
            throw new Main.UsageException("--bs " + job.blockBytes() + ": at most 64m per request (e.g. --bs 1m)");
        }
    }

    /** The largest block: one request's DMA buffer ({@link IoBench}). */
    private static final long MAX_BLOCK = 64L << 20;

    /**
     * One run of {@code job} on {@code controller}, opened with completion mode {@code mode}: its JSON object is
     * added to {@code runs}; returns it as plotted. PASSIVE.
     */
    private IoPlot.Job run(Controller controller, IoCosts costs, CompletionMode mode, OptionTypes.Job job,
                           PrintWriter out, List<Map<String, Object>> runs, boolean nameMode) throws Exception {
        String rw = job.text();
        int bs = (int) job.blockBytes();
        int queueDepth = job.queueDepth();
        IoBench.Pattern pattern = job.pattern();
        Disk disk = controller.disk(port);
        if (bs % disk.sectorSize() != 0) {
            throw new Main.UsageException("--bs " + bs + " is not a whole number of " + disk.sectorSize()
                    + "-byte sectors (e.g. --bs 4k)");
        }
        long sectors = region == null ? disk.sectors() : Math.min(disk.sectors(), region / disk.sectorSize());
        Progress.Text measuring = (ms, totalMs, ios) -> String.format(Locale.ROOT,
                "%s bs=%d qd=%d: %d I/Os submitted in %.1f of %.1f s", rw, bs, queueDepth, ios, ms / 1000.0,
                totalMs / 1000.0);
        Progress progress = new Progress(spec.commandLine().getErr(), (ms, totalMs, ios) -> "warm-up, not measured: "
                + measuring.of(ms, totalMs, ios), Progress.iops());
        IoBench.Progress update = (ios, elapsed, duration) -> progress.update(elapsed / 1_000_000, duration / 1_000_000, ios);
        IoBench.Result r;
        IoBench.Result warm = null;
        double warmed = 0;
        try (StopSignals stop = StopSignals.summarizeAndExit(spec.commandLine().getErr(), progress::summary)) {
            if (!warmup.isZero()) {
                warm = IoBench.run(disk, pattern, bs, queueDepth, warmup.toNanos() / 1e9, sectors, null, update);
                warmed += warm.seconds();
            }
            if (warmupJitIdle) {
                warmed += IoBench.warmUntilJitIdle(disk, pattern, bs, queueDepth, sectors, update);
            }
            progress.phase(measuring, Progress.iops());
            r = IoBench.run(disk, pattern, bs, queueDepth, seconds.toNanos() / 1e9, sectors, costs, update);
        }
        progress.done();
        String name = r.name() + (nameMode ? "-" + mode.name().toLowerCase(Locale.ROOT) : "");
        if (hgrm != null) {
            Hgrm.write(hgrm.resolve(name + ".hgrm"), r.histogram());
        }
        Map<String, Object> result = Json.object();
        result.put("completion", mode.name().toLowerCase(Locale.ROOT));
        result.putAll(r.toJson());
        result.put("warmupSeconds", Json.fixed(warmed, 3));
        runs.add(result);
        if (!json) {
            if (nameMode) {
                out.printf(Locale.ROOT, "--completion %s%n", mode.name().toLowerCase(Locale.ROOT));
            }
            StageStats l = r.latency();
            out.printf(Locale.ROOT, "%s: bs=%d qd=%d, %d I/Os in %.1f s: IOPS=%.0f, BW=%.1f MiB/s (%.1f MB/s)%n",
                    rw, bs, queueDepth, r.ios(), r.seconds(), r.iops(), r.bytesPerSecond() / (1 << 20),
                    r.bytesPerSecond() / 1e6);
            out.printf(Locale.ROOT, "  latency (us): min=%.1f mean=%.1f stdev=%.1f; p50=%.1f p90=%.1f p99=%.1f "
                    + "p99.9=%.1f max=%.1f%n", l.min() / 1e3, l.mean() / 1e3, l.stdev() / 1e3, l.p50() / 1e3,
                    l.p90() / 1e3, l.p99() / 1e3, l.p999() / 1e3, l.max() / 1e3);
            for (String line : r.costs().text("command")) {
                out.println("  " + line);
            }
            out.println("  " + controller.describe());
            if (controller.spec().kind() == DeviceSpec.Kind.QEMU) {
                out.println("  NOTE: " + QtestNote.text(0) + ".");
            }
        }
        return new IoPlot.Job(name, r, warm);
    }
}
