package io.jahci.cli;

import io.jahci.chip.ChipProfile;
import io.jahci.chip.ChipProfiles;
import io.jahci.testing.Images;
import io.jahci.testing.JsonReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@code jahci report}: read-only, its documented JSON keys, serials hashed unless --full, on every profile. */
@Tag("qemu")
class ReportCliTest {
    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void theJsonReportHasItsDocumentedKeysAndHashesTheSerial() throws Exception {
        Path image = Images.create(dir, "r.img", 4 << 20);
        Images.write(image, 0, Images.random(3, 1 << 20));
        String before = Images.sha256(image);
        CliRun r = CliRun.of("--device", "qemu:" + image + ",profile=jmb363", "report", "--json");
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> report = JsonReader.object(r.out());
        assertEquals(List.of("jahciVersion", "schema", "device", "taken", "controller", "pci", "chip", "hba",
                "bringUp", "warnings", "ports"), List.copyOf(report.keySet()));
        assertEquals(2, report.get("schema"));
        assertEquals(Map.of("address", "0000:00:05.0", "vendorId", "197b", "deviceId", "2363", "revision", "03",
                "classCode", "010601"), report.get("pci"));
        Map<String, Object> chip = (Map<String, Object>) report.get("chip");
        assertEquals(List.of("name", "quirks", "source"), List.copyOf(chip.keySet()));
        assertEquals(List.of(Map.of("name", "ignore-if-error", "effect", "not applied",
                "means", "PxIS.IFS should not count as an error; jahci still recovers from it")), chip.get("quirks"));
        Map<String, Object> hba = (Map<String, Object>) report.get("hba");
        assertEquals(List.of("CAP", "GHC", "IS", "PI", "VS"), List.copyOf(hba.keySet()), "no CAP2 on AHCI 1.0");
        assertEquals(Map.of("raw", "00010000", "decoded", "AHCI 1.0"), hba.get("VS"));
        assertEquals(Map.of("raw", "00000003", "decoded", "ports 0 1"), hba.get("PI"));
        List<String> bringUp = (List<String>) report.get("bringUp");
        assertTrue(bringUp.get(0).contains("HBA reset and setup (JMicron JMB36x)"), bringUp.toString());
        assertTrue(bringUp.stream().anyMatch(s -> s.contains("port 0: IDENTIFY")), bringUp.toString());

        List<Map<String, Object>> ports = (List<Map<String, Object>>) report.get("ports");
        assertEquals(2, ports.size());
        Map<String, Object> port0 = ports.get(0);
        assertEquals(List.of("port", "state", "signature", "registers", "disk", "history"), List.copyOf(port0.keySet()));
        Map<String, Object> regs = (Map<String, Object>) port0.get("registers");
        assertEquals(List.of("SSTS", "SCTL", "SERR", "SIG", "TFD", "CMD", "IS", "IE", "CI", "SACT"),
                List.copyOf(regs.keySet()));
        assertEquals("00000101", ((Map<String, Object>) regs.get("SIG")).get("raw"), "an ATA signature");
        String serial = (String) ((Map<String, Object>) port0.get("disk")).get("serial");
        assertTrue(serial.matches("sha256:[0-9a-f]{16}"), serial);
        assertEquals("NO_DEVICE", ports.get(1).get("state"));

        CliRun full = CliRun.of("--device", "qemu:" + image + ",profile=jmb363", "report", "--json", "--full");
        List<Map<String, Object>> fullPorts = (List<Map<String, Object>>) JsonReader.object(full.out()).get("ports");
        assertEquals(ReportCommand.hashed((String) ((Map<String, Object>) fullPorts.get(0).get("disk")).get("serial")),
                serial, "--full prints the serial whose hash the default prints");
        assertEquals(before, Images.sha256(image), "report wrote nothing");
    }

    @Test
    void theTextReportRunsOnEveryProfile() throws Exception {
        Path image = Images.create(dir, "t.img", 4 << 20);
        for (ChipProfile profile : ChipProfiles.ALL) {
            CliRun r = CliRun.of("--device", "qemu:" + image + ",profile=" + profile.name(), "report");
            assertEquals(0, r.exit(), profile.name() + ": " + r.err());
            assertTrue(r.out().contains("pci: 0000:00:05.0 " + String.format("%04x:%04x", profile.vendorId(),
                    profile.deviceId())), r.out());
            assertTrue(r.out().contains(String.format("CAP   %08x", profile.cap())), r.out());
            assertTrue(r.out().contains("register history"), r.out());
        }
    }
}
