package io.jahci.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code jahci bench}: benchmarks. Subcommands: {@code irq}, {@code io}. */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {BenchIrqCommand.class, BenchIoCommand.class},
        description = "Benchmarks: 'bench irq' measures interrupt-to-worker latency against a C baseline; "
                + "'bench io' measures IOPS, bandwidth and latency on a disk.")
final class BenchCommand implements Runnable {
    @ParentCommand
    Main main;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "bench needs a subcommand: irq or io (see jahci bench irq --help, jahci bench io --help)");
    }
}
