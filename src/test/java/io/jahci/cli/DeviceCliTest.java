package io.jahci.cli;

import io.jahci.testing.Discs;
import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** smart, power, set, identify (summary and --raw) and the CD-ROM, as a user runs them against QEMU. */
@Tag("qemu")
class DeviceCliTest {
    @TempDir
    Path dir;

    private String device() throws Exception {
        return "qemu:" + Images.create(dir, "a.img", 16 << 20);
    }

    @Test
    void smartPrintsHealthAndEveryAttribute() throws Exception {
        String device = device();
        CliRun text = CliRun.of("--device", device, "smart", "--port", "0", "--enable");
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("SMART overall-health self-assessment test result: PASSED"), text.out());
        assertTrue(text.out().contains("  5 Reallocated_Sector_Ct   0x0003   100   100   036    Pre-fail  Always   -"),
                text.out());
        assertTrue(text.out().contains("190 Airflow_Temperature_Cel 0x0003   069   069   050    Pre-fail  Always   -"
                + "           31 (Min/Max 31/31)"), text.out());
        assertTrue(text.out().contains("No self-tests have been logged."), text.out());
        CliRun json = CliRun.of("--device", device, "smart", "--port", "0", "--json");
        assertEquals(0, json.exit(), json.err());
        String out = json.out().strip();
        assertTrue(out.contains(",\"port\":0,\"health\":\"PASSED\",\"failing\":false,\"attributes\":[{\"id\":1,"
                + "\"name\":\"Raw_Read_Error_Rate\",\"flags\":3,"), out);
        assertTrue(out.contains("\"raw\":522125343,\"rawText\":\"31 (Min/Max 31/31)\",\"temperature\":{\"celsius\":31,"
                + "\"min\":31,\"max\":31}"), "attribute 190 as the table shows it: " + out);
        assertEquals(7, out.split("\"whenFailed\"").length - 1, "QEMU has 7 attributes: " + out);
        assertTrue(out.endsWith(",\"selfTests\":[]}"), out);
    }

    @Test
    void powerCheckAndTheCommandsThatChangeIt() throws Exception {
        String device = device();
        CliRun check = CliRun.of("--device", device, "power", "--port", "0", "check");
        assertEquals(0, check.exit(), check.err());
        assertEquals("port 0: drive state is: active/idle", check.out().strip());
        CliRun standby = CliRun.of("--device", device, "power", "--port", "0", "standby");
        assertEquals(0, standby.exit(), standby.err());
        assertTrue(standby.out().startsWith("port 0: STANDBY IMMEDIATE done; drive state is: "), standby.out());
        CliRun idle = CliRun.of("--device", device, "power", "--port", "0", "idle");
        assertEquals(0, idle.exit(), idle.err());
        CliRun sleep = CliRun.of("--device", device, "power", "--port", "0", "sleep");
        assertEquals(0, sleep.exit(), sleep.err());
        assertTrue(sleep.out().contains("brings it back with a COMRESET"), sleep.out());
        CliRun bad = CliRun.of("--device", device, "power", "--port", "0", "nap");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("check, idle, standby, sleep"), bad.err());
    }

    @Test
    void setSwitchesTheWriteCacheAndReadsItBack() throws Exception {
        String device = device();
        CliRun off = CliRun.of("--device", device, "set", "--port", "0", "--write-cache", "off");
        assertEquals(0, off.exit(), off.err());
        assertEquals("port 0: write cache: off", off.out().strip());
        CliRun on = CliRun.of("--device", device, "set", "--port", "0", "--write-cache", "on");
        assertEquals("port 0: write cache: on", on.out().strip());
        // QEMU accepts SET FEATURES AAh but IDENTIFY lists no look-ahead: the read-back says so, exit 1
        CliRun lookAhead = CliRun.of("--device", device, "set", "--port", "0", "--read-lookahead", "on");
        assertEquals(1, lookAhead.exit(), lookAhead.out() + lookAhead.err());
        assertTrue(lookAhead.out().contains("read look-ahead: not supported by this device"), lookAhead.out());
        CliRun nothing = CliRun.of("--device", device, "set", "--port", "0");
        assertEquals(2, nothing.exit());
    }

    @Test
    void identifySummaryAndRawThatHdparmDecodes() throws Exception {
        String device = device();
        CliRun summary = CliRun.of("--device", device, "identify", "--port", "0");
        assertEquals(0, summary.exit(), summary.err());
        assertTrue(summary.out().contains("\tModel Number:       QEMU HARDDISK\n"), summary.out());
        assertTrue(summary.out().contains("\tLBA48  user addressable sectors:       32768\n"), summary.out());
        assertTrue(summary.out().contains("\t   *\tWrite cache\n"), summary.out());
        CliRun raw = CliRun.of("--device", device, "identify", "--port", "0", "--raw");
        assertEquals(0, raw.exit(), raw.err());
        assertEquals(32, raw.out().lines().count());
        Path dump = dir.resolve("id.txt");
        Files.writeString(dump, raw.out());
        Process p = new ProcessBuilder("/usr/sbin/hdparm", "--Istdin").redirectInput(dump.toFile())
                .redirectErrorStream(true).start();
        String hdparm = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertTrue(hdparm.contains("Model Number:       QEMU HARDDISK"), hdparm);
        assertTrue(hdparm.contains("LBA48  user addressable sectors:       32768"), hdparm);
    }

    @Test
    void aCdRomIsListedReadAndNeverWritten() throws Exception {
        Path disc = Discs.pattern(dir, "disc.bin", 64, 3);
        String device = device() + ",cd:" + disc;
        CliRun id = CliRun.of("--device", device, "identify");
        assertEquals(0, id.exit(), id.err());
        assertTrue(id.out().contains("port 1: CD-ROM QEMU QEMU DVD-ROM, revision "), id.out());
        assertTrue(id.out().contains(", 64 sectors x 2048 bytes (128 KiB)"), id.out());
        Path out = dir.resolve("out.bin");
        CliRun read = CliRun.of("--device", device, "read", "--port", "1", "--lba", "10", "--count", "5", "--out", out.toString());
        assertEquals(0, read.exit(), read.err());
        byte[] got = Files.readAllBytes(out);
        assertEquals(5 * 2048, got.length);
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(Discs.sector(10 + i, 3), Arrays.copyOfRange(got, i * 2048, (i + 1) * 2048));
        }
        CliRun past = CliRun.of("--device", device, "read", "--port", "1", "--lba", "60", "--count", "5", "--out", out.toString());
        assertEquals(2, past.exit());
        assertTrue(past.err().contains("outside the disc in the CD/DVD drive on port 1, which has 64 sectors"), past.err());
        CliRun write = CliRun.of("--device", device, "write", "--port", "1", "--lba", "0", "--count", "1", "--in",
                out.toString(), "--allow-write");
        assertEquals(2, write.exit());
        assertTrue(write.err().contains("port 1 holds a CD/DVD drive, not an ATA disk"), write.err());
        assertTrue(write.err().contains("never writes to it"), write.err());
    }
}
