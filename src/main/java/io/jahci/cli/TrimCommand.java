package io.jahci.cli;

import io.jahci.disk.Controller;
import io.jahci.disk.Disk;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code jahci trim}: DATA SET MANAGEMENT TRIM of a sector range; refuses without --allow-write. */
@Command(name = "trim", mixinStandardHelpOptions = true,
        description = "Tell the disk on PORT that COUNT logical sectors from LBA hold nothing worth keeping "
                + "(DATA SET MANAGEMENT with TRIM, ACS-3 §7.5): their data is gone. Needs --allow-write.")
final class TrimCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    SectorRange range;

    @Option(names = "--allow-write", description = "Confirm that the sectors' data may be discarded.")
    boolean allowWrite;

    @Override
    public Integer call() throws Exception {
        if (!allowWrite) {
            throw new Main.UsageException("refusing to trim without --allow-write: this discards the data of "
                    + range.count + " sectors at LBA " + range.lba + " on port " + range.port + " of " + main.device());
        }
        range.checkCount();
        if (range.lba < 0) {
            throw new Main.UsageException("--lba must be 0 or more, not " + range.lba);
        }
        try (Controller controller = main.open(true)) {
            Disk disk = controller.disk(range.port);
            range.checkFits(disk);
            disk.trim(range.lba, range.count);
            spec.commandLine().getOut().printf("port %d: trimmed %d sectors at LBA %d..%d; %s%n", range.port,
                    range.count, range.lba, range.lba + range.count - 1, disk.trimReadsZeroes()
                            ? "they read back as zeroes (IDENTIFY word 69: DRAT and RZAT)"
                            : "the disk does not promise that they read back as zeroes (IDENTIFY word 69: no RZAT)");
        }
        return 0;
    }
}
