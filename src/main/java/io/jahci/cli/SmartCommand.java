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

    @Option(names = "--json", description = "Print one JSON object: port, health, failing, attributes, selfTests.")
    boolean json;

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
            String lowPower = SmartRoutines.lowPowerMode(disk, nocheck);
            if (lowPower != null) {
                return SmartRoutines.skipped(out, disk, lowPower, nocheck, json);
            }
            if (test != null || log != null) {
                return test != null ? SmartRoutines.test(out, disk, test, json) : SmartRoutines.log(out, disk, log, json);
            }
            SmartReport report = disk.smart(enable);
            if (json) {
                out.println(Json.write(report.toJson()));
            } else {
                print(out, disk, report);
            }
            return report.failing() ? Main.DEVICE_ERROR : 0;
        }
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
