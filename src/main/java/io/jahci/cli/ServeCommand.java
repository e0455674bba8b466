package io.jahci.cli;

import io.jahci.bench.IoCosts;
import io.jahci.disk.Controller;
import io.jahci.disk.Disk;
import io.jahci.hw.RegisterCounts;
import io.jahci.nbd.NbdExport;
import io.jahci.nbd.NbdServer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code jahci serve}: the disks as NBD exports until SIGINT or SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve disks over NBD (fixed newstyle) as exports portN (the first port is also the default "
                + "export \"\") until SIGINT or SIGTERM: then every request in flight is answered, the write caches "
                + "are flushed and the clients closed. Read-only unless --allow-write. No TLS: keep TCP on loopback. "
                + "--stats prints what one request cost (docs/performance.md): each interval and once at exit, requests "
                + "by type, then per request thread switches, CPU time and bytes allocated of the port's, the "
                + "transport's and the server's own threads (nbd), interrupts and register accesses.")
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--port", required = true, paramLabel = "N", description = "Port of a disk to serve; repeat for more.")
    List<Integer> ports;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Where where;

    static final class Where {
        @Option(names = "--unix", paramLabel = "PATH", description = "Unix socket to create, owner-only (0600).")
        Path unix;

        @Option(names = "--listen", paramLabel = "ADDR:PORT", description = "TCP address to bind, e.g. 127.0.0.1:10809.")
        InetSocketAddress listen;
    }

    @Option(names = "--allow-write", description = "Let clients write (and flush) the disks.")
    boolean allowWrite;

    @Option(names = "--stats", arity = "0..1", paramLabel = "DURATION", fallbackValue = "10s",
            description = "Print what one NBD request cost every DURATION (default 10s; e.g. --stats=2s) and once at "
                    + "exit, read from /proc and the JVM at each interval's edges only.")
    Duration stats;

    @Option(names = "--json", description = "With --stats: print each interval as one JSON document on its own line "
            + "after the ready line: {\"jahciVersion\",\"schema\",\"device\",\"interval\",\"final\",\"seconds\","
            + "\"requests\",\"registerReadsPerRequest\",\"registerWritesPerRequest\",\"perRequest\",...} (docs/json.md).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (json && stats == null) {
            throw new Main.UsageException("--json prints the --stats intervals: add --stats (e.g. --stats=10s --json)");
        }
        if (stats != null && stats.isZero()) {
            throw new Main.UsageException("--stats " + stats.toMillis() + "ms: the interval must be longer than 0 "
                    + "(e.g. --stats=10s)");
        }
        InetSocketAddress tcp = where.listen;
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RegisterCounts counts = stats == null ? null : new RegisterCounts();
        try (Controller controller = main.open(allowWrite, main.scheduling.completion, counts)) {
            List<NbdExport> exports = new ArrayList<>();
            for (int port : ports) {
                Disk disk = controller.disk(port);
                List<String> names = exports.isEmpty() ? List.of("port" + port, "") : List.of("port" + port);
                exports.add(new NbdExport(disk, names, allowWrite));
            }
            ServeStats report = stats == null ? null : new ServeStats(IoCosts.forServer(counts,
                    controller::interruptsServiced), stats, out, !json ? null : JsonDocument.start(ServeStats.SCHEMA,
                    controller, exports.size() == 1 ? exports.get(0).disk() : null));
            NbdServer server = new NbdServer(exports, err, report == null ? () -> { } : report::threadEnding);
            CountDownLatch stop = new CountDownLatch(1);
            StopSignals signals = StopSignals.onStop(signal -> stop.countDown());
            try {
                if (tcp != null) {
                    server.listenTcp(tcp);
                } else {
                    server.listenUnix(where.unix);
                }
                if (report != null) {
                    report.start(server);
                }
                server.start();
                out.println("serving " + describe(exports, server));
                out.flush();
                if (report == null) {
                    stop.await();
                } else {
                    report.printUntil(stop);
                }
                boolean flushed = server.shutdown();
                if (report != null) {
                    report.print(true);
                }
                return flushed ? 0 : Main.DEVICE_ERROR; // a flush that failed
            } finally {
                server.close();
                signals.close();
            }
        }
    }

    private String describe(List<NbdExport> exports, NbdServer server) throws java.io.IOException {
        StringBuilder s = new StringBuilder();
        for (NbdExport e : exports) {
            if (s.length() > 0) {
                s.append(", ");
            }
            s.append("port ").append(e.disk().port()).append(" (").append(Sizes.human(e.info().size())).append(", ")
                    .append(allowWrite ? "read-write" : "read-only").append(") at ").append(server.uri(e.info().name()));
        }
        return s.toString();
    }
}
