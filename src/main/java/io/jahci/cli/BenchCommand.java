package io.jahci.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jahci bench}: benchmarks. Subcommands: {@code irq}, {@code io}. */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {BenchIrqCommand.class, BenchIoCommand.class},
        description = "Benchmarks: 'bench irq' measures interrupt-to-worker latency against a C baseline; "
                + "'bench io' measures IOPS, bandwidth and latency on a disk.")
final class BenchCommand implements Runnable {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "bench needs a subcommand: irq or io");
    }
}
