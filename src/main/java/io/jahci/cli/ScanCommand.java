package io.jahci.cli;

import io.jahci.platform.Json;
import io.jahci.disk.Controller;
import io.jahci.disk.Disk;
import io.jahci.disk.SurfaceScan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code jahci scan}: a read-only surface scan that finds the exact unreadable sectors. */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = "Read a range with a deep queue, narrow every failing chunk down to the exact failing "
                + "sectors, keep going. Exit 1 when any sector failed.")
final class ScanCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    QueuedRange range;

    /** The version of the --json document's layout (docs/json.md). */
    static final int SCHEMA = 1;

    @Option(names = "--json", description = "Print the result as JSON: {\"bad\":[{\"lba\":L,\"count\":C},...], ...}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        range.checkQueueDepth();
        PrintWriter out = spec.commandLine().getOut();
        try (Controller controller = main.open(false)) {
            Disk disk = controller.disk(range.port);
            long sectors = range.sectors(disk);
            long lba = range.lba;
            Progress progress = new Progress(spec.commandLine().getErr(), (done, total, bad) -> String.format(
                    "scanned %d/%d sectors (%d%%) from LBA %d, %d bad", done, total, Progress.percent(done, total), lba, bad),
                    Progress.megabytes(disk.sectorSize()));
            SurfaceScan.Result result;
            try (StopSignals stop = StopSignals.summarizeAndExit(spec.commandLine().getErr(), progress::summary)) {
                result = SurfaceScan.run(disk, lba, sectors, range.queueDepth, progress::update);
            }
            progress.done();
            if (json) {
                Map<String, Object> doc = JsonDocument.start(SCHEMA, controller, disk);
                doc.putAll(result.toJson());
                out.println(Json.write(doc));
            } else {
                out.printf("scanned %d sectors (LBA %d..%d) in %.1f s: %d bad%n", result.sectors(), lba,
                        lba + sectors - 1, result.seconds(), result.badSectors());
                for (SurfaceScan.BadRange r : result.bad()) {
                    out.printf("  bad: LBA %d..%d (%d sectors)%n", r.lba(), r.lba() + r.count() - 1, r.count());
                }
            }
            return result.bad().isEmpty() ? 0 : Main.FINDING;
        }
    }
}
