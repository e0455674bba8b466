package io.jahci.cli;

import io.jahci.ataport.CompletionMode;
import io.jahci.ataport.ThreadPlacement;
import io.jahci.ataport.WaitMode;
import io.jahci.disk.Controller;
import io.jahci.disk.DeviceSpec;
import io.jahci.platform.Json;
import io.jahci.disk.OpenOptions;
import io.jahci.fault.Fault;
import io.jahci.fault.PortException;
import io.jahci.hw.DeviceLostException;
import io.jahci.hw.Release;
import io.jahci.hw.RefusedException;
import io.jahci.hw.RegisterCounts;
import io.jahci.hw.pci.SysRoot;
import io.jahci.hw.vfio.IrqMode;
import io.jahci.platform.Scheduling;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The {@code jahci} command line. Exit codes ({@link #exitCodeFor}): 0 success, 1 a finding (the command worked and
 * found a problem: a failing disk, bad sectors, mismatches), 2 usage or refusal, 3 device or I/O error, 4 runtime
 * error; 130/143 stopped by SIGINT/SIGTERM during a long command ({@link StopSignals}).
 * Errors go to stderr, one message naming what failed and what to do.
 */
@Command(name = "jahci", mixinStandardHelpOptions = true, versionProvider = Main.VersionLine.class,
        description = "A user-space AHCI/SATA driver in Java.",
        subcommands = {DemoCommand.class, IdentifyCommand.class, ReportCommand.class, ReadCommand.class, WriteCommand.class,
            TrimCommand.class,
            ScanCommand.class, VerifyCommand.class, SmartCommand.class, PowerCommand.class, SetCommand.class,
            ListCommand.class, DoctorCommand.class, BindCommand.class, UnbindCommand.class, BenchCommand.class,
            ServeCommand.class},
        exitCodeListHeading = "%nExit codes (docs/errors.md says which command returns which):%n",
        exitCodeList = {"0:success", "1:a finding: smart says FAILING, scan found bad sectors, verify or demo found "
                + "mismatches, set did not read back, doctor has a FAIL", "2:usage error or refusal (bad option, LBA "
                + "range, file; a write without --allow-write; a controller not bound)",
            "3:device or I/O error (a failed command, a lost controller, QEMU that would not start)",
            "4:runtime error (a port-layer or verifier failure)",
            "130:stopped by SIGINT (Ctrl-C)", "143:stopped by SIGTERM"})
public final class Main {
    static final int FINDING = 1;
    static final int USAGE_ERROR = 2;
    static final int DEVICE_ERROR = 3;
    static final int RUNTIME_ERROR = 4;

    /** The device spec as given, or null without {@code --device} ({@link #device()} is then {@code qemu}). */
    @Option(names = "--device", paramLabel = "SPEC", scope = ScopeType.INHERIT,
            description = "Controller to drive: 'qemu' (QEMU's AHCI with a temporary 64 MiB disk), "
                    + "'qemu:IMG[,IMG...]' (one disk per image, ports 0, 1, ...; 'cd:FILE' attaches FILE as a CD-ROM), 'vfio:BDF' or 'uio:BDF' "
                    + "(a controller bound with `jahci bind`, e.g. vfio:0000:00:05.0). Default: qemu.")
    String device;

    @Option(names = "--sync-with-isr", paramLabel = "true|false", defaultValue = "true", arity = "1", scope = ScopeType.INHERIT,
            description = "The ATA port driver's SyncWithIsr (IDE_CHANNEL_CONFIGURATION): true runs StartIo, Initialize and Reset under the channel's "
                    + "interrupt lock (DIRQL); false runs them at DISPATCH, synchronizing through synchronized "
                    + "routines. Default: ${DEFAULT-VALUE}.")
    boolean syncWithIsr;

    @Option(names = "--verifier", scope = ScopeType.INHERIT, description = "Turn on the port layer's costly verifier checks: a slow ISR is "
            + "warned about. Misuse of levels, work items or channels fails loudly with or without it.")
    boolean verifier;

    @Option(names = "--irq", paramLabel = "MODE", defaultValue = "auto", scope = ScopeType.INHERIT,
            description = "Interrupt for vfio: devices: 'msi' (AHCI's single MSI vector), 'intx' (the INTx line, "
                    + "unmasked after each interrupt) or 'auto' (MSI when offered). Default: ${DEFAULT-VALUE}.")
    IrqMode irq = IrqMode.AUTO;

    /** How the port threads are placed and scheduled, and how they wait and find completions: a help section. */
    @ArgGroup(validate = false, heading = "%nScheduling options (every command; see docs/latency.md):%n")
    SchedulingOptions scheduling = new SchedulingOptions();

    /** The scheduling options: their own help section, inherited by every subcommand. */
    static final class SchedulingOptions {
        @Option(names = "--completion", paramLabel = "MODE", defaultValue = "interrupt", scope = ScopeType.INHERIT,
                description = "How I/O completions are detected: 'interrupt' (the port's interrupt; completions run after the "
                        + "ISR on the thread that took the interrupt: a caller waiting for its I/O, else the interrupt thread), 'poll' (completion interrupts masked; the waiting thread, or "
                        + "the jahci-poll thread for asynchronous I/O, polls the received-FIS area, then PxIS/PxCI/PxSACT) "
                        + "or 'hybrid' (sleep half the mean service time, then poll). Errors and link changes always "
                        + "interrupt. Default: ${DEFAULT-VALUE}.")
        CompletionMode completion = CompletionMode.INTERRUPT;

        @Option(names = "--pin", paramLabel = "ROLE=CPU[,ROLE=CPU...]", scope = ScopeType.INHERIT,
                description = "Pin thread roles to CPUs (sched_setaffinity): stimulus (bench irq), irq (jahci-irq-N), "
                        + "dispatch (jahci-dispatch-N), workitem (jahci-workitem-N), timer (jahci-timer), caller (this "
                        + "command's own thread), e.g. irq=1,dispatch=1. bench irq pins its C threads the same way.")
        OptionTypes.Pins pin;

        @Option(names = "--rt-priority", paramLabel = "N", scope = ScopeType.INHERIT, defaultValue = "0",
                description = "Run every role's thread SCHED_FIFO at priority N (1..99; sched_setscheduler). Needs "
                        + "CAP_SYS_NICE or `ulimit -r N`. Default: the normal policy.")
        int rtPriority;

        @Option(names = "--mlockall", scope = ScopeType.INHERIT,
                description = "Lock all current and future memory of the process (mlockall MCL_CURRENT|MCL_FUTURE).")
        boolean mlockall;

        @Option(names = "--wait", paramLabel = "block|spin|hybrid[:MICROS]", scope = ScopeType.INHERIT,
                defaultValue = "block", description = "How the interrupt thread and idle DISPATCH workers wait: block "
                        + "(epoll_wait / park), spin (poll, one busy core each), hybrid (spin, then block; MICROS fixes "
                        + "the spin, without it the window adapts). Default: ${DEFAULT-VALUE}.")
        WaitMode wait = WaitMode.BLOCK;
    }

    /** Set from the options before the command runs ({@link #applyProcessSettings()}). */
    ThreadPlacement placement = ThreadPlacement.none();

    /**
     * What {@link #open} says on stderr, once per run, when no {@code --device} was given: a forgotten
     * --device on a real machine must not pass unnoticed for a report on QEMU's disk.
     */
    static final String NO_DEVICE_NOTE = "jahci: no --device given: using a temporary "
            + (DeviceSpec.DEFAULT_QEMU_DISK_BYTES >> 20) + " MiB QEMU disk (qemu); name a controller with --device "
            + "vfio:BDF or uio:BDF (see jahci list)";

    private boolean noDeviceNoted;

    /** The controller {@link #open} opened, if any. */
    private volatile Controller opened;

    /** Where error messages go (the command line's stderr). */
    private PrintWriter err = new PrintWriter(System.err, true);

    /** Where sysfs and procfs are (tests point it at a fake tree). */
    @Option(names = "--sysroot", hidden = true, defaultValue = "/", scope = ScopeType.INHERIT)
    String sysroot;

    /** The device spec {@code --device} named, before or after the subcommand; {@code qemu} without it. */
    String device() {
        return device == null ? "qemu" : device;
    }

    /** Opens the controller named by {@code --device}; without it, says so on stderr once. The command's thread. */
    Controller open(boolean allowWrite) throws IOException {
        return open(allowWrite, scheduling.completion, null);
    }

    /**
     * Opens the controller named by {@code --device} with completion mode {@code mode}, counting
     * register accesses into {@code counts} (or not: null).
     */
    Controller open(boolean allowWrite, CompletionMode mode, RegisterCounts counts) throws IOException {
        DeviceSpec spec = DeviceSpec.parse(device());
        if (device == null && !noDeviceNoted) {
            noDeviceNoted = true;
            err.println(NO_DEVICE_NOTE);
        }
        if (irq != IrqMode.AUTO) {
            spec = spec.withIrq(irq);
        }
        OpenOptions options = OpenOptions.builder().allowWrite(allowWrite).syncWithIsr(syncWithIsr)
                .verifier(verifier || Boolean.getBoolean("jahci.verifier")).waitMode(scheduling.wait.toString())
                .threadPlacement(scheduling.pin == null ? null : scheduling.pin.text(), scheduling.rtPriority)
                .countRegisterAccesses(counts).completion(mode.name()).build();
        Controller controller = Controller.open(spec, options);
        opened = controller;
        controller.onReleased(message -> {
            // The kernel took the controller back (VFIO device request): whatever the command was doing is over.
            err.println("jahci: " + Fault.RELEASED + ": " + message);
            err.flush();
            System.exit(DEVICE_ERROR);
        });
        return controller;
    }

    /**
     * Before any command runs: checks the CPUs of --pin, locks memory (--mlockall), and, when
     * --pin or --rt-priority asks for anything, places the caller's own thread (role caller; with
     * --rt-priority it becomes SCHED_FIFO here, so a missing privilege stops the command before
     * anything starts).
     */
    void applyProcessSettings() throws IOException {
        placement = ThreadPlacement.checked(scheduling.pin == null ? Map.of() : scheduling.pin.cpus(),
                scheduling.rtPriority);
        if (scheduling.mlockall) {
            Scheduling.mlockall();
        }
        if (placement.requestsAnything()) {
            placement.applyToCurrentThread(ThreadPlacement.Role.CALLER);
        }
    }

    SysRoot sysRoot() {
        return new SysRoot(java.nio.file.Path.of(sysroot));
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        Main main = new Main();
        main.err = err;
        CommandLine cli = new CommandLine(main);
        OptionTypes.register(cli);
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, arguments) -> {
            String line = usageLine(e);
            e.getCommandLine().getErr().println(line);
            List<String> given = List.of(arguments);
            if (given.contains("--json")) {
                e.getCommandLine().getOut().println(errorJson("usage", line.substring("jahci: ".length())));
            }
            boolean smartctl = given.contains("--exit-status=smartctl") || given.indexOf("--exit-status") >= 0
                    && given.indexOf("--exit-status") + 1 < given.size()
                    && given.get(given.indexOf("--exit-status") + 1).equalsIgnoreCase("smartctl");
            Object command = e.getCommandLine().getCommand();
            return smartctl && command instanceof SmartCommand ? SmartExitStatus.PARSE
                    : USAGE_ERROR;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            awaitRelease(main.opened);
            if (!StopSignals.stopping()) {
                commandLine.getErr().println("jahci: " + e.getMessage());
                CommandLine.ParseResult last = parseResult;
                while (last.hasSubcommand()) {
                    last = last.subcommand();
                }
                if (last.hasMatchedOption("--json")) {
                    commandLine.getOut().println(errorJson(e));
                }
            }
            Object command = commandLine.getCommand();
            return command instanceof SmartCommand smart ? smart.exitCodeFor(e) : exitCodeFor(e);
        });
        cli.setExecutionStrategy(parseResult -> {
            Integer help = CommandLine.executeHelpRequest(parseResult);
            if (help != null) {
                return help;
            }
            try {
                ((Main) cli.getCommand()).applyProcessSettings();
            } catch (IOException | RuntimeException e) {
                throw new CommandLine.ExecutionException(cli, e.getMessage(), e);
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        int exit = cli.execute(args);
        out.flush(); // print() does not flush an autoflush PrintWriter, and main() exits right after
        err.flush();
        return exit;
    }

    /**
     * A command line picocli could not parse, as one line instead of the whole usage: the option, the value, why, an
     * example, and the command's --help, e.g. {@code jahci: --jobs randread:4k:x: QD 'x' is not a queue depth 1..32
     * (e.g. --jobs randread:4k:1,read:128k:32); try 'jahci bench io --help'}. Runs on the main thread before any
     * command, so before any device opens.
     */
    static String usageLine(CommandLine.ParameterException e) {
        CommandLine where = e.getCommandLine();
        StringBuilder line = new StringBuilder("jahci: ");
        if (e.getArgSpec() instanceof OptionSpec option && e.getValue() != null
                && e.getCause() instanceof CommandLine.TypeConversionException why) {
            line.append(option.longestName()).append(' ').append(e.getValue()).append(": ").append(why.getMessage());
            line.append(why instanceof OptionTypes.Invalid i ? " (e.g. " + option.longestName() + " " + i.example() + ")"
                    : " (expected " + option.longestName() + " " + option.paramLabel() + ")");
        } else {
            line.append(e.getMessage().replaceAll("\\R", " "));
        }
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            List<String> suggestions = u.getSuggestions();
            line.append("; did you mean ").append(String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size()))))
                    .append('?');
        }
        return line.append("; try '").append(where.getCommandSpec().qualifiedName()).append(" --help'").toString();
    }

    /**
     * When the command failed because the kernel is taking the controller back, the release
     * listener prints why and exits; the command's own error (a request refused by the stopped
     * port) would only confuse, so it waits for that exit (a minute at most, then reports anyway).
     */
    private static void awaitRelease(Controller controller) {
        if (controller != null && controller.releasing()) {
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MINUTES.toNanos(1));
        }
    }

    /** The version of the error document's layout ({@link #errorJson}); docs/json.md. */
    static final int ERROR_SCHEMA = 1;

    /**
     * A failed command's answer under {@code --json}:
     * {@code {"jahciVersion":"…","schema":1,"error":{"fault":"controller-lost","message":"..."}}}, the fault named as
     * in docs/faults.md ({@code usage} for a usage error, {@code error} for one without a fault).
     */
    static String errorJson(Exception e) {
        String fault = e instanceof PortException p ? p.fault().toString()
                : e instanceof DeviceLostException ? Fault.CONTROLLER_LOST.toString()
                : exitCodeFor(e) == USAGE_ERROR ? "usage" : "error";
        return errorJson(fault, String.valueOf(e.getMessage()));
    }

    private static String errorJson(String fault, String message) {
        Map<String, Object> error = Json.object();
        error.put("fault", fault);
        error.put("message", message);
        Map<String, Object> answer = JsonDocument.start(ERROR_SCHEMA);
        answer.put("error", error);
        return Json.write(answer);
    }

    /**
     * 2 for what the user can fix by asking differently: a bad argument, a missing file, a port without a disk, an
     * operation jahci refused before touching the device ({@link RefusedException}); 3 for a device or I/O error
     * (any {@link IOException}, {@link PortException} included, a lost device, a release step that failed); 4 for
     * any other failure while running (an {@link IllegalStateException} of the port layer or its verifier).
     * Findings (1) are not exceptions: the command returns them.
     */
    static int exitCodeFor(Exception e) {
        if (e instanceof IllegalArgumentException || e instanceof RefusedException
                || e instanceof NoSuchElementException || e instanceof UsageException
                || e instanceof FileNotFoundException) {
            return USAGE_ERROR;
        }
        if (e instanceof IOException || e instanceof java.io.UncheckedIOException || e instanceof DeviceLostException
                || e instanceof Release.ReleaseException) {
            return DEVICE_ERROR;
        }
        return RUNTIME_ERROR;
    }

    /** {@code --version}: the pom's version, read at run time ({@link io.jahci.disk.Version}). */
    static final class VersionLine implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"jahci " + io.jahci.disk.Version.current()};
        }
    }

    /** A command was used wrongly: the message says how to use it. Exit code 2. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }
}
