package io.jahci.cli;

import io.jahci.platform.Json;
import io.jahci.disk.Controller;
import io.jahci.disk.Disk;
import io.jahci.disk.PatternVerify;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code jahci verify}: write a self-describing pattern, read it back, report every mismatch. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Write a self-describing pattern (each sector carries its LBA and a checksum) over a range, "
                + "read it all back and report every mismatch. Destroys the range's data: needs --allow-write. "
                + "Exit 0 only when every sector matched.")
final class VerifyCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    QueuedRange range;

    @Option(names = "--allow-write", description = "Confirm that the range may be overwritten.")
    boolean allowWrite;

    /** The version of the --json document's layout (docs/json.md). */
    static final int SCHEMA = 1;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!allowWrite) {
            throw new Main.UsageException("refusing to verify without --allow-write: verify overwrites the range on port "
                    + range.port + " of " + main.device());
        }
        range.checkQueueDepth();
        PrintWriter out = spec.commandLine().getOut();
        try (Controller controller = main.open(true)) {
            Disk disk = controller.disk(range.port);
            long sectors = range.sectors(disk);
            long lba = range.lba;
            Progress progress = new Progress(spec.commandLine().getErr(), (done, total, failed) -> String.format(
                    "wrote %d/%d sectors (%d%%) from LBA %d, %d failed; nothing read back yet", done, total,
                    Progress.percent(done, total), lba, failed), Progress.megabytes(disk.sectorSize()));
            Progress.Text readBack = (done, total, mismatched) -> String.format("wrote and flushed %d sectors from LBA %d; "
                    + "read back %d/%d (%d%%), %d mismatched", total, lba, done, total, Progress.percent(done, total), mismatched);
            PatternVerify.Result result;
            try (StopSignals stop = StopSignals.summarizeAndExit(spec.commandLine().getErr(), progress::summary)) {
                result = PatternVerify.run(disk, lba, sectors, range.queueDepth, System.nanoTime(),
                        (reading, done, total, mismatches) -> {
                            if (reading && done == 0) {
                                progress.phase(readBack, Progress.megabytes(disk.sectorSize()));
                            }
                            progress.update(done, total, mismatches);
                        });
            }
            progress.done();
            if (json) {
                Map<String, Object> doc = JsonDocument.start(SCHEMA, controller, disk);
                doc.putAll(result.toJson());
                out.println(Json.write(doc));
            } else {
                out.printf("verify %s: %d sectors (LBA %d..%d), wrote in %.2f s, read back in %.2f s, %d mismatched%n",
                        result.passed() ? "passed" : "FAILED", sectors, lba, lba + sectors - 1, result.writeSeconds(),
                        result.readSeconds(), result.mismatches().size());
                for (PatternVerify.Mismatch m : result.mismatches()) {
                    out.printf("  LBA %d: %s%n", m.lba(), m.what());
                }
            }
            return result.passed() ? 0 : Main.FINDING;
        }
    }
}
