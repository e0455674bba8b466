package io.jahci.cli;

import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** {@code smart --test}, {@code --log} and {@code --nocheck} as a user runs them against QEMU's model. */
@Tag("qemu")
class SmartRoutinesCliTest {
    @TempDir
    Path dir;

    @Test
    void selfTestsLogsAndNocheckOnQemu() throws Exception {
        String device = "qemu:" + Images.create(dir, "a.img", 16 << 20);
        CliRun shortTest = CliRun.of("--device", device, "smart", "--port", "0", "--test", "short");
        assertEquals(0, shortTest.exit(), shortTest.err());
        assertEquals("port 0: short self-test started (SMART EXECUTE OFF-LINE IMMEDIATE 01h, off-line mode); self-test "
                + "execution status: Completed without error; the disk suggests polling after 2 minute(s): jahci smart "
                + "--port 0 --log selftest", shortTest.out().strip(), "QEMU: READ DATA byte 372 is 2");

        CliRun json = CliRun.of("--device", device, "smart", "--port", "0", "--test", "LONG", "--json");
        assertEquals(0, json.exit(), json.err());
        assertTrue(json.out().strip().startsWith("{\"jahciVersion\":") && json.out().strip().endsWith(
                "\"port\":0,\"test\":\"long\",\"selfTestStatus\":\"Completed without error\",\"pollMinutes\":54}"),
                "the JSON head, then QEMU's READ DATA byte 373 (36h): " + json.out());

        CliRun abort = CliRun.of("--device", device, "smart", "--port", "0", "--test", "abort");
        assertEquals(3, abort.exit(), "the device refused the command: a device error, " + abort.out() + abort.err());
        assertTrue(abort.err().contains("SMART"), abort.err());

        CliRun bad = CliRun.of("--device", device, "smart", "--port", "0", "--test", "quick");
        assertEquals(2, bad.exit(), bad.err());
        assertTrue(bad.err().contains("'quick' is not a self-test: use short, long or abort"), bad.err());

        // every run starts a new QEMU, whose self-test log starts empty
        CliRun selfTests = CliRun.of("--device", device, "smart", "--port", "0", "--log", "selftest");
        assertEquals(0, selfTests.exit(), selfTests.err());
        assertEquals("No self-tests have been logged.", selfTests.out().strip());
        CliRun errors = CliRun.of("--device", device, "smart", "--port", "0", "--log", "error");
        assertEquals(0, errors.exit(), errors.err());
        assertEquals("SMART Error Log (summary): ATA Error Count: 0\nNo Errors Logged", errors.out().strip());
        CliRun errorsJson = CliRun.of("--device", device, "smart", "--port", "0", "--log", "error", "--json");
        assertTrue(errorsJson.out().strip().endsWith("\"port\":0,\"errorCount\":0,\"errors\":[]}"), errorsJson.out());

        CliRun nocheck = CliRun.of("--device", device, "smart", "--port", "0", "--nocheck", "standby");
        assertEquals(0, nocheck.exit(), nocheck.err());
        assertTrue(nocheck.out().contains("SMART overall-health self-assessment test result: PASSED"),
                "QEMU always says active/idle, so the report runs: " + nocheck.out());
    }
}
