package io.jahci.ahci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** hdparm's formats, on the IDENTIFY DEVICE data QEMU 7.2's ide-hd returned (qemu-ide-hd.identify). */
class IdentifyReportTest {
    private static final String QEMU_HD = "qemu-ide-hd.identify";

    @Test
    void rawIsByteForByteTheHdparmIstdoutDump() {
        String dump = Captured.text(QEMU_HD);
        assertEquals(dump, IdentifyReport.hdparmRaw(Captured.identify(QEMU_HD)));
    }

    @Test
    void hdparmIstdinDecodesTheRawDumpAndAgreesWithTheSummary() throws Exception {
        IdentifyData id = Captured.identify(QEMU_HD);
        String hdparm = hdparmIstdin(IdentifyReport.hdparmRaw(id));
        String summary = IdentifyReport.summary(id);
        assertTrue(hdparm.contains("Model Number:       QEMU HARDDISK"), hdparm);
        List<String> hdparmLines = Arrays.asList(hdparm.split("\n"));
        List<String> shared = new ArrayList<>();
        for (String line : summary.split("\n")) {
            if (line.contains("user addressable") || line.contains("Sector size") || line.contains("device size")
                    || line.contains("Queue depth") || line.startsWith("\t   *\t")) {
                shared.add(line);
            }
        }
        // hdparm hides TRIM for a device that claims no ATA8-ACS or later (QEMU's IDENTIFY reports ATA-4..7); every other
        // feature, capacity, sector size and the queue depth must be hdparm's own line, character for character
        shared.remove("\t   *\t" + AtaFeature.TRIM.hdparmName());
        assertEquals(14, shared.size(), summary);
        for (String line : shared) {
            assertTrue(hdparmLines.contains(line.replaceFirst("\\s+$", ""))
                    || hdparmLines.contains(line), "hdparm does not print '" + line + "':\n" + hdparm);
        }
    }

    @Test
    void summaryOfQemusDisk() {
        String summary = IdentifyReport.summary(Captured.identify(QEMU_HD));
        assertTrue(summary.contains("\tModel Number:       QEMU HARDDISK\n"), summary);
        assertTrue(summary.contains("\tSerial Number:      QM00013\n"), summary);
        assertTrue(summary.contains("\tFirmware Revision:  2.5+\n"), summary);
        assertTrue(summary.contains("\tSupported: 7 6 5 4\n"), summary);
        assertTrue(summary.contains("\tdevice size with M = 1000*1000:          67 MBytes (0 GB)\n"), summary);
        assertTrue(summary.contains("\t   *\tWrite cache\n"), summary);
        assertTrue(summary.contains("\t   *\tData Set Management TRIM supported\n"), summary);
        assertFalse(summary.contains("Look-ahead"), "QEMU does not support look-ahead:\n" + summary);
    }

    @Test
    void supportedButDisabledFeaturesHaveNoStar() {
        IdentifyData id = Captured.identify(QEMU_HD);
        assertTrue(AtaFeature.WRITE_CACHE.enabled(id));
        String dump = IdentifyReport.hdparmRaw(id);
        // word 85 = 4021h (SMART, write cache, NOP enabled) is line 10, word 5: clear bit 5
        String off = dump.replace("00f0 0016 4021 7400 4000 4021", "00f0 0016 4021 7400 4000 4001");
        IdentifyData cacheOff = IdentifyData.parse(Captured.identifyBytes(off), 0);
        assertTrue(AtaFeature.WRITE_CACHE.supported(cacheOff));
        assertFalse(AtaFeature.WRITE_CACHE.enabled(cacheOff));
        assertTrue(IdentifyReport.summary(cacheOff).contains("\t    \tWrite cache\n"));
    }

    @Test
    void featuresInInvalidWordsAreNeitherSupportedNorEnabled() {
        String dump = IdentifyReport.hdparmRaw(Captured.identify(QEMU_HD));
        // word 83 7400h -> 3400h: bits 15:14 = 00b, so its LBA48 and FLUSH CACHE EXT bits mean nothing
        IdentifyData invalid = IdentifyData.parse(Captured.identifyBytes(
                dump.replace("00f0 0016 4021 7400", "00f0 0016 4021 3400")), 0);
        assertFalse(AtaFeature.LBA48.supported(invalid));
        assertFalse(AtaFeature.FLUSH_CACHE_EXT.enabled(invalid));
        assertTrue(AtaFeature.NCQ.enabled(invalid), "NCQ has no enable bit: enabled when supported");
    }

    /** Runs {@code hdparm --Istdin} on {@code dump}; fails with what to install when hdparm is missing. */
    static String hdparmIstdin(String dump) throws IOException, InterruptedException {
        Path hdparm = Path.of("/usr/sbin/hdparm");
        assertTrue(Files.isExecutable(hdparm), "hdparm is not installed: apt-get install hdparm (.ci/install-deps)");
        Path in = Files.createTempFile("jahci-identify", ".txt");
        try {
            Files.writeString(in, dump);
            Process p = new ProcessBuilder(hdparm.toString(), "--Istdin").redirectInput(in.toFile())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            return out;
        } finally {
            Files.delete(in);
        }
    }
}
