package io.jahci.cli;

import io.jahci.disk.Controller;
import io.jahci.disk.Disk;
import io.jahci.disk.PatternVerify;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
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

    @Option(names = "--port", required = true, paramLabel = "N", description = "Port of the disk.")
    int port;

    @Option(names = "--lba", paramLabel = "L", defaultValue = "0", description = "First sector (default 0).")
    long lba;

    @Option(names = "--count", paramLabel = "C", description = "Sectors (default: to the end of the disk).")
    Long count;

    @Option(names = "--qd", paramLabel = "N", defaultValue = "32", description = "Commands in flight (default ${DEFAULT-VALUE}).")
    int queueDepth;

    @Option(names = "--allow-write", description = "Confirm that the range may be overwritten.")
    boolean allowWrite;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!allowWrite) {
            throw new Main.UsageException("refusing to verify without --allow-write: verify overwrites the range on port "
                    + port + " of " + main.device);
        }
        if (queueDepth < 1 || queueDepth > 32) {
            throw new Main.UsageException("--qd must be 1..32, not " + queueDepth);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Controller controller = main.open(true)) {
            Disk disk = controller.disk(port);
            long sectors = count == null ? disk.sectors() - lba : count;
            SectorRange.check(disk, lba, sectors);
            PatternVerify.Result result = PatternVerify.run(disk, lba, sectors, queueDepth, System.nanoTime());
            if (json) {
                out.println(result.toJson());
            } else {
                out.printf("verify %s: %d sectors (LBA %d..%d), wrote in %.2f s, read back in %.2f s, %d mismatched%n",
                        result.passed() ? "passed" : "FAILED", sectors, lba, lba + sectors - 1, result.writeSeconds(),
                        result.readSeconds(), result.mismatches().size());
                for (PatternVerify.Mismatch m : result.mismatches()) {
                    out.printf("  LBA %d: %s%n", m.lba(), m.what());
                }
            }
            return result.passed() ? 0 : Main.DEVICE_ERROR;
        }
    }
}
