package io.jahci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jahci.ataport.CompletionMode;
import io.jahci.ataport.ThreadPlacement;
import io.jahci.ataport.WaitMode;
import io.jahci.hw.pci.FakeSysfs;
import io.jahci.hw.vfio.IrqMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ScopeType;

/** jahci's global options go before or after the subcommand, and a command line it cannot parse gets one line. */
class GlobalOptionsTest {
    @TempDir
    Path dir;

    private static final String[] GLOBALS = {"--device", "qemu:/tmp/x.img", "--sync-with-isr", "false", "--verifier",
        "--completion", "poll", "--irq", "intx", "--pin", "irq=0", "--rt-priority", "5", "--mlockall", "--wait", "spin",
        "--sysroot", "/tmp/root"};

    private static void assertParsed(Main main) {
        assertEquals("qemu:/tmp/x.img", main.device);
        assertFalse(main.syncWithIsr);
        assertTrue(main.verifier);
        assertEquals(CompletionMode.POLL, main.scheduling.completion);
        assertEquals(IrqMode.INTX, main.irq);
        assertEquals(Map.of(ThreadPlacement.Role.IRQ, 0), main.scheduling.pin.cpus());
        assertEquals(5, main.scheduling.rtPriority);
        assertTrue(main.scheduling.mlockall);
        assertEquals(WaitMode.SPIN, main.scheduling.wait);
        assertEquals("/tmp/root", main.sysroot);
    }

    /** The command line as {@link Main#run} builds it: jahci's converters registered. */
    private static CommandLine cli(Main main) {
        CommandLine cli = new CommandLine(main);
        OptionTypes.register(cli);
        return cli;
    }

    @Test
    void everyGlobalOptionMayFollowTheSubcommand() {
        for (List<String> command : List.of(List.of("identify"), List.of("bench", "io", "--port", "0", "--rw", "read"))) {
            Main before = new Main();
            List<String> args = new java.util.ArrayList<>(List.of(GLOBALS));
            args.addAll(command);
            cli(before).parseArgs(args.toArray(String[]::new));
            assertParsed(before);
            Main after = new Main();
            args = new java.util.ArrayList<>(command);
            args.addAll(List.of(GLOBALS));
            cli(after).parseArgs(args.toArray(String[]::new));
            assertParsed(after);
        }
    }

    @Test
    void theDefaultsStayWhenNoGlobalOptionIsGiven() {
        Main main = new Main();
        cli(main).parseArgs("identify", "--port", "1");
        assertEquals(null, main.device, "no --device: the temporary disk, and the CLI says so");
        assertEquals("qemu", main.device());
        assertTrue(main.syncWithIsr);
        assertEquals(CompletionMode.INTERRUPT, main.scheduling.completion);
        assertEquals(WaitMode.BLOCK, main.scheduling.wait);
    }

    @Test
    void everyOptionOfMainIsInheritedBySubcommands() {
        for (OptionSpec option : new CommandLine(new Main()).getCommandSpec().options()) {
            if (!option.usageHelp() && !option.versionHelp()) {
                assertEquals(ScopeType.INHERIT, option.scopeType(), option.longestName() + " is global: it must also "
                        + "be accepted after the subcommand");
            }
        }
    }

    @Test
    void aGlobalOptionAfterTheSubcommandTakesEffect() throws Exception {
        new FakeSysfs(dir);
        CliRun r = CliRun.of("list", "--sysroot", dir.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("no AHCI controllers"), r.out());
    }

    @Test
    void aCommandLineThatDoesNotParseGetsOneLineNamingTheOptionAndHelp() {
        CliRun unknown = CliRun.of("identify", "--bogus");
        assertEquals(2, unknown.exit());
        assertEquals("jahci: Unknown option: '--bogus'; try 'jahci identify --help'\n", unknown.err());
        assertEquals("", unknown.out());

        CliRun badValue = CliRun.of("identify", "--rt-priority", "high");
        assertEquals(2, badValue.exit());
        assertEquals("jahci: --rt-priority high: 'high' is not an int (expected --rt-priority N); try 'jahci identify --help'\n",
                badValue.err());

        CliRun missing = CliRun.of("read", "--port", "0");
        assertEquals(2, missing.exit());
        assertEquals(1, missing.err().lines().count(), missing.err());
        assertTrue(missing.err().startsWith("jahci: Missing required options: '--lba=L', '--count=C', '--out=FILE|-'"),
                missing.err());

        CliRun bench = CliRun.of("bench");
        assertEquals(2, bench.exit());
        assertEquals("jahci: bench needs a subcommand: irq or io; try 'jahci bench --help'\n", bench.err());
    }
}
