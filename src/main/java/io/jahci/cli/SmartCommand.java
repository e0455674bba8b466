package io.jahci.cli;

import io.jahci.ahci.SmartAttribute;
import io.jahci.disk.Controller;
import io.jahci.disk.Disk;
import io.jahci.platform.Json;
import io.jahci.disk.SelfTest;
import io.jahci.disk.SmartReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code jahci smart}: the disk's health in smartctl's words. */
@Command(name = "smart", mixinStandardHelpOptions = true,
        description = "SMART health (RETURN STATUS), every attribute with its threshold (READ DATA, READ THRESHOLDS) "
                + "and the self-test log of the disk on PORT. Exit 1 when the disk says it is failing or an "
                + "attribute is at or below its threshold.")
final class SmartCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--port", required = true, paramLabel = "N", description = "Port of the disk.")
    int port;

    @Option(names = "--json", description = "Print one JSON document (docs/json.md): jahciVersion, schema, device, port, "
            + "health, failing, attributes (raw value with rawText as the table shows it), selfTests.")
    boolean json;

    @Option(names = "--exit-status", paramLabel = "jahci|smartctl", defaultValue = "jahci",
            description = "Exit codes: 'jahci' (0 healthy, 1 failing, 2 usage, 3 device error, 4 runtime error) or "
                    + "'smartctl' (smartctl's bit mask: 1 parse, 2 open, 4 command or checksum, 8 failing, 16 pre-fail "
                    + "attribute at threshold now, 32 in the past, 128 self-test errors; docs/errors.md). "
                    + "Default: ${DEFAULT-VALUE}.")
    SmartExitStatus exitStatus = SmartExitStatus.JAHCI;

    /** The version of the --json document's layout (docs/json.md). */
    static final int SCHEMA = 1;

    /** Whether the disk was opened and identified: a later failure is a SMART command's (smartctl's bit 2). */
    private boolean opened;

    @Option(names = "--enable", description = "Send SMART ENABLE OPERATIONS first (a disk with SMART disabled "
            + "aborts the other SMART commands).")
    boolean enable;

    @Option(names = "--test", paramLabel = "short|long|abort", converter = SmartRoutines.SelfTestConverter.class,
            description = "Start a short or extended (long) self-test in off-line mode, or abort the running one "
                    + "(SMART EXECUTE OFF-LINE IMMEDIATE), and print the self-test execution status.")
    SelfTest test;

    @Option(names = "--log", paramLabel = "selftest|error", description = "Print the self-test log, or the "
            + "summary SMART error log (SMART READ LOG 06h / 01h), instead of the report.")
    SmartRoutines.Log log;

    @Option(names = "--nocheck", paramLabel = "never|sleep|standby", defaultValue = "never", description = "Leave a "
            + "disk alone in SLEEP (sleep), or in SLEEP or Standby (standby), as CHECK POWER MODE says without "
            + "spinning it up: print the mode and exit 2. Default: ${DEFAULT-VALUE}.")
    SmartRoutines.NoCheck nocheck;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Controller controller = main.open(false)) {
            Disk disk = controller.disk(port);
            opened = true;
            String lowPower = SmartRoutines.lowPowerMode(disk, nocheck);
            Map<String, Object> head = json ? JsonDocument.start(SCHEMA, controller, disk) : null;
            if (lowPower != null) {
                return SmartRoutines.skipped(out, disk, lowPower, nocheck, head);
            }
            if (test != null || log != null) {
                return test != null ? SmartRoutines.test(out, disk, test, head) : SmartRoutines.log(out, disk, log, head);
            }
            SmartReport report = disk.smart(enable);
            if (json) {
                Map<String, Object> doc = JsonDocument.start(SCHEMA, controller, disk);
                doc.putAll(report.toJson());
                out.println(Json.write(doc));
            } else {
                print(out, disk, report);
            }
            return exitStatus.of(report);
        }
    }

    /** The exit code of a failure under {@code --exit-status} ({@link Main}'s execution exception handler). */
    int exitCodeFor(Exception e) {
        return exitStatus.of(e, opened);
    }

    private static void print(PrintWriter out, Disk disk, SmartReport report) {
        out.printf("port %d: %s, serial %s%n", disk.port(), disk.identity().model(), disk.identity().serial());
        out.printf("SMART overall-health self-assessment test result: %s%n", report.health());
        if (!report.data().dataChecksumValid() || !report.data().thresholdsChecksumValid()) {
            out.println("Warning: the SMART data or thresholds fail their checksum; the values below may be wrong");
        }
        out.printf("SMART Attributes Data Structure revision number: %d%n", report.data().revision());
        out.println("ID# ATTRIBUTE_NAME          FLAG     VALUE WORST THRESH TYPE      UPDATED  WHEN_FAILED RAW_VALUE");
        for (SmartAttribute a : report.data().attributes()) {
            out.printf("%3d %-23s 0x%04x   %03d   %03d   %03d    %-9s %-8s %-11s %s%n", a.id(), a.name(), a.flags(),
                    a.value(), a.worst(), a.threshold(), a.prefailure() ? "Pre-fail" : "Old_age",
                    a.online() ? "Always" : "Offline", a.whenFailed(), a.rawText());
        }
        out.printf("Self-test execution status: %s%n", report.data().selfTestStatusText());
        SmartRoutines.printSelfTests(out, report.selfTests());
        if (report.failing()) {
            out.println("FAILING: " + (report.data().failing().isEmpty() ? "the disk says a threshold was exceeded"
                    : report.data().failing().size() + " attribute(s) at or below threshold"));
        }
    }
}
