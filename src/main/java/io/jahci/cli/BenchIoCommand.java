package io.jahci.cli;

import io.jahci.disk.Json;
import io.jahci.bench.IoBench;
import io.jahci.bench.StageStats;
import io.jahci.disk.Controller;
import io.jahci.disk.Disk;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.Locale;
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

    @Option(names = "--rw", required = true, paramLabel = "PATTERN", description = "read, write, randread or randwrite.")
    String rw;

    @Option(names = "--bs", paramLabel = "SIZE", defaultValue = "4k", description = "Block size, e.g. 4k, 128k (default ${DEFAULT-VALUE}).")
    String blockSize;

    @Option(names = "--qd", paramLabel = "N", defaultValue = "1", description = "Requests in flight, 1..32 (default ${DEFAULT-VALUE}).")
    int queueDepth;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "5", description = "How long (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "0",
            description = "Run the same job this many seconds first, unmeasured (JIT, caches), then measure (default ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--size", paramLabel = "SIZE", description = "Region at the start of the disk to use (default: all of it).")
    String region;

    @Option(names = "--allow-write", description = "Confirm that write and randwrite may overwrite the disk.")
    boolean allowWrite;

    @Option(names = "--json", description = "Print {\"iops\":..., \"bytesPerSecond\":..., \"latency\":{\"p50\":ns,...}, ...}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        IoBench.Pattern pattern = IoBench.Pattern.parse(rw);
        if (pattern == IoBench.Pattern.WRITE || pattern == IoBench.Pattern.RANDWRITE) {
            if (!allowWrite) {
                throw new Main.UsageException("refusing to run --rw " + rw + " without --allow-write: it overwrites port "
                        + port + " of " + bench.main.device);
            }
        }
        if (warmup < 0) {
            throw new Main.UsageException("--warmup must be 0 or more seconds, not " + warmup);
        }
        if (queueDepth < 1 || queueDepth > 32) {
            throw new Main.UsageException("--qd must be 1..32, not " + queueDepth);
        }
        int bs = IoBench.parseSize(blockSize);
        PrintWriter out = spec.commandLine().getOut();
        try (Controller controller = bench.main.open(allowWrite)) {
            Disk disk = controller.disk(port);
            if (bs % disk.sectorSize() != 0) {
                throw new Main.UsageException("--bs " + blockSize + " is not a whole number of " + disk.sectorSize()
                        + "-byte sectors");
            }
            long sectors = region == null ? disk.sectors() : Math.min(disk.sectors(), IoBench.parseSize(region) / disk.sectorSize());
            Progress progress = new Progress(spec.commandLine().getErr(), (ms, totalMs, ios) -> String.format(Locale.ROOT,
                    "%s bs=%d qd=%d: %d I/Os submitted in %.1f of %.1f s", rw, bs, queueDepth, ios, ms / 1000.0,
                    totalMs / 1000.0));
            IoBench.Result r;
            try (StopSignals stop = StopSignals.summarizeAndExit(spec.commandLine().getErr(), progress::summary)) {
                if (warmup > 0) {
                    IoBench.run(disk, pattern, bs, queueDepth, warmup, sectors, (ios, elapsed, duration) -> { });
                }
                r = IoBench.run(disk, pattern, bs, queueDepth, seconds, sectors,
                        (ios, elapsed, duration) -> progress.update(elapsed / 1_000_000, duration / 1_000_000, ios));
            }
            progress.done();
            if (json) {
                out.println(Json.write(r.toJson()));
            } else {
                StageStats l = r.latency();
                out.printf(Locale.ROOT, "%s: bs=%d qd=%d, %d I/Os in %.1f s: IOPS=%.0f, BW=%.1f MiB/s (%.1f MB/s)%n",
                        rw, bs, queueDepth, r.ios(), r.seconds(), r.iops(), r.bytesPerSecond() / (1 << 20),
                        r.bytesPerSecond() / 1e6);
                out.printf(Locale.ROOT, "  latency (us): p50=%.1f p90=%.1f p99=%.1f p99.9=%.1f max=%.1f%n",
                        l.p50() / 1e3, l.p90() / 1e3, l.p99() / 1e3, l.p999() / 1e3, l.max() / 1e3);
                out.println("  " + controller.describe());
            }
            return 0;
        }
    }
}
