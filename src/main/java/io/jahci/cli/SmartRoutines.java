package io.jahci.cli;

import io.jahci.ahci.PowerMode;
import io.jahci.ahci.SelfTestLog;
import io.jahci.ahci.SmartErrorLog;
import io.jahci.disk.Disk;
import io.jahci.disk.SelfTest;
import io.jahci.disk.SmartReport;
import io.jahci.platform.Json;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code smart} does besides its report, in smartctl's words: {@code --nocheck} (do not wake a
 * disk in a low-power mode, as {@code smartctl -n}), {@code --test} (start or abort a self-test, as
 * {@code -t}/{@code -X}) and {@code --log selftest|error} (as {@code -l}). The command's thread, PASSIVE.
 */
final class SmartRoutines {
    /** {@code --nocheck}: which low-power modes smart leaves alone. */
    enum NoCheck { never, sleep, standby }

    /** {@code --log}: which log to print. */
    enum Log { selftest, error }

    /** {@code --test}'s values through {@link SelfTest#parse}. */
    static final class SelfTestConverter implements CommandLine.ITypeConverter<SelfTest> {
        @Override
        public SelfTest convert(String value) {
            try {
                return SelfTest.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    private SmartRoutines() {}

    /**
     * The low-power mode that {@code nocheck} leaves alone and the disk is in (SLEEP when jahci put it to
     * sleep, STANDBY or NVcache_spindown as CHECK POWER MODE says), found without waking it; null to go on.
     */
    static String lowPowerMode(Disk disk, NoCheck nocheck) throws Exception {
        if (nocheck == NoCheck.never) {
            return null;
        }
        Optional<PowerMode> mode = disk.powerModeWithoutWaking();
        if (mode.isEmpty()) {
            return "SLEEP";
        }
        return nocheck == NoCheck.standby && mode.get().spunDown() ? mode.get().words().toUpperCase(java.util.Locale.ROOT)
                : null;
    }

    /**
     * Says that the disk was left in {@code mode}; the exit code is {@link Main#USAGE_ERROR}, a refusal: nothing was
     * checked. {@code json}: the document's head ({@link JsonDocument}), or null for text; so in the others.
     */
    static int skipped(PrintWriter out, Disk disk, String mode, NoCheck nocheck, Map<String, Object> json) {
        if (json != null) {
            Map<String, Object> o = json;
            o.put("port", disk.port());
            o.put("skipped", mode);
            out.println(Json.write(o));
        } else {
            out.printf("port %d: the disk is in %s mode; not checked (--nocheck %s), so as not to wake it%n",
                    disk.port(), mode, nocheck);
        }
        return Main.USAGE_ERROR;
    }

    /** Starts (or aborts) {@code test}, then says what the disk reports about it. */
    static int test(PrintWriter out, Disk disk, SelfTest test, Map<String, Object> json) throws Exception {
        disk.startSelfTest(test);
        SmartReport after = disk.smart(false);
        int minutes = test == SelfTest.LONG ? after.data().extendedTestMinutes() : after.data().shortTestMinutes();
        if (json != null) {
            Map<String, Object> o = json;
            o.put("port", disk.port());
            o.put("test", test.toString());
            o.put("selfTestStatus", after.data().selfTestStatusText());
            o.put("pollMinutes", test == SelfTest.ABORT ? null : minutes);
            out.println(Json.write(o));
        } else if (test == SelfTest.ABORT) {
            out.printf("port %d: self-test abort sent (SMART EXECUTE OFF-LINE IMMEDIATE 7Fh); self-test execution "
                    + "status: %s%n", disk.port(), after.data().selfTestStatusText());
        } else {
            out.printf("port %d: %s self-test started (SMART EXECUTE OFF-LINE IMMEDIATE %02Xh, off-line mode); "
                    + "self-test execution status: %s; the disk suggests polling after %d minute(s): "
                    + "jahci smart --port %d --log selftest%n", disk.port(), test, test.routine(),
                    after.data().selfTestStatusText(), minutes, disk.port());
        }
        return 0;
    }

    /** Prints the log {@code log} names. */
    static int log(PrintWriter out, Disk disk, Log log, Map<String, Object> json) throws Exception {
        if (log == Log.selftest) {
            List<SelfTestLog.Entry> tests = disk.selfTestLog();
            if (json != null) {
                Map<String, Object> o = json;
                o.put("port", disk.port());
                o.put("selfTests", SmartReport.selfTestsJson(tests));
                out.println(Json.write(o));
            } else {
                printSelfTests(out, tests);
            }
            return 0;
        }
        SmartErrorLog errors = disk.errorLog();
        if (json != null) {
            Map<String, Object> o = json;
            o.put("port", disk.port());
            o.putAll(SmartReport.errorLogJson(errors));
            out.println(Json.write(o));
        } else if (errors == null) {
            out.println("SMART Error Log: not supported by this device");
        } else {
            out.printf("SMART Error Log (summary): ATA Error Count: %d%n", errors.errorCount());
            if (errors.errors().isEmpty()) {
                out.println("No Errors Logged");
            }
            for (SmartErrorLog.Entry e : errors.errors()) {
                out.printf("Error %d occurred at disk power-on lifetime: %d hours (device state %d): ER %02x ST %02x "
                        + "SC %02x LBA %d%n", e.number(), e.lifetimeHours(), e.state(), e.error(), e.status(), e.count(),
                        e.lba());
            }
        }
        return errors != null && errors.errorCount() > 0 ? Main.FINDING : 0; // logged errors are a finding
    }

    /** The self-test log as smartctl -l selftest prints it. */
    static void printSelfTests(PrintWriter out, List<SelfTestLog.Entry> tests) {
        if (tests == null) {
            out.println("Self-test log: not supported by this device");
        } else if (tests.isEmpty()) {
            out.println("No self-tests have been logged.");
        } else {
            out.println("Num  Test_Description    Status                       Remaining  LifeTime(hours)  LBA_of_first_error");
            for (SelfTestLog.Entry e : tests) {
                out.printf("#%2d  %-19s %-28s %8d%%  %15d  %s%n", e.number(), e.testName(), e.statusText(),
                        e.remainingPercent(), e.lifetimeHours(), e.failingLba() < 0 ? "-" : Long.toString(e.failingLba()));
            }
        }
    }
}
