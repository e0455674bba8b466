package io.jahci.cli;

import io.jahci.hw.pci.FakeSysfs;
import io.jahci.testing.JsonReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * list/bind/unbind and the vfio:/uio: device specs, on a fake sysfs tree (--sysroot) where they
 * must not touch the machine. The real paths run in native/vm/guest-test.
 */
class HardwareCliTest {
    static final String CTRL = "0000:00:05.0";

    @TempDir
    Path dir;
    FakeSysfs fs;

    private record Result(int exit, String out, String err) {}

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 2];
        all[0] = "--sysroot";
        all[1] = dir.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        int exit = Main.run(all, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(exit, out.toString(), err.toString());
    }

    @BeforeEach
    void tree() throws Exception {
        fs = new FakeSysfs(dir);
        fs.pci(CTRL, 0x8086, 0x2922, 0x010601).bindTo(CTRL, "ahci").group(CTRL, 4);
        fs.pci("0000:00:1f.2", 0x8086, 0x2922, 0x010601).bindTo("0000:00:1f.2", "ahci").group("0000:00:1f.2", 3);
        fs.pci("0000:00:1f.0", 0x8086, 0x2918, 0x060100).group("0000:00:1f.0", 3);
        fs.pci("0000:00:06.0", 0x8086, 0x2922, 0x010601).bindTo("0000:00:06.0", "vfio-pci");
        Path sda = fs.disk(CTRL, 0, "sda", 8, 0, 1);
        fs.disk(CTRL, 1, "sdb", 8, 16, 0);
        fs.mount("/dev/sda1", "/mnt", "ext2");
        fs.holder(sda, "dm-0");
    }

    @Test
    void listShowsControllersDriversGroupsAndDiskUse() {
        Result r = run("list");
        assertEquals(0, r.exit, r.err);
        assertEquals(String.join("\n",
                CTRL + "  8086:2922  driver ahci  IOMMU group 4",
                "  port 0  QEMU HARDDISK  64 MiB  sda (partitions sda1): IN USE: sda is held by dm-0 (md, dm or LVM); "
                        + "sda1 is mounted on /mnt (ext2)",
                "  port 1  QEMU HARDDISK  64 MiB  sdb: not mounted, not swap, no holders",
                "0000:00:06.0  8086:2922  driver vfio-pci  no IOMMU group",
                "  no disks visible (the kernel sees disks only while the ahci driver is bound)",
                "0000:00:1f.2  8086:2922  driver ahci  IOMMU group 3 (shared with 0000:00:1f.0)",
                "  no disks", ""), r.out);
    }

    @Test
    @SuppressWarnings("unchecked")
    void listJsonNamesEachDisksAhciPortAndTheChipsQuirks() throws Exception {
        fs.pci("0000:03:00.0", 0x197b, 0x2363, 0x010601).bindTo("0000:03:00.0", "ahci");
        fs.disk("0000:03:00.0", 1, "sdc", 8, 32, 0);
        Result r = run("list", "--json");
        assertEquals(0, r.exit, r.err);
        List<Map<String, Object>> controllers = (List<Map<String, Object>>) JsonReader.object(r.out).get("controllers");
        assertEquals(List.of(CTRL, "0000:00:06.0", "0000:00:1f.2", "0000:03:00.0"),
                controllers.stream().map(c -> c.get("address")).toList());
        Map<String, Object> jmicron = controllers.get(3);
        assertEquals(List.of("address", "vendorId", "deviceId", "driver", "iommuGroup", "groupShares", "chip",
                "disks"), List.copyOf(jmicron.keySet()));
        Map<String, Object> chip = JsonReader.object(jmicron.get("chip"));
        assertEquals("JMicron JMB36x", chip.get("name"));
        assertEquals(List.of(Map.of("name", "ignore-if-error", "effect", "not applied",
                "means", "PxIS.IFS should not count as an error; jahci still recovers from it")), chip.get("quirks"));
        assertNull(controllers.get(0).get("chip"), "QEMU's ICH9 needs no quirk: null, the key still there");
        assertEquals(List.of(Map.of("port", 1, "name", "sdc", "model", "QEMU HARDDISK", "sizeBytes", 67108864,
                "partitions", List.of(), "inUse", false, "uses", List.of())), jmicron.get("disks"));
        Map<String, Object> onboard = controllers.get(2);
        assertEquals(List.of("0000:00:1f.0"), onboard.get("groupShares"));
        assertEquals(List.of(0, 1), ((List<Map<String, Object>>) controllers.get(0).get("disks")).stream()
                .map(d -> d.get("port")).toList());
    }

    @Test
    void listWithNoControllers() throws Exception {
        Path empty = dir.resolve("empty");
        new FakeSysfs(empty);
        StringWriter out = new StringWriter();
        int exit = Main.run(new String[] {"--sysroot", empty.toString(), "list"}, new PrintWriter(out, true),
                new PrintWriter(new StringWriter(), true));
        assertEquals(0, exit);
        assertTrue(out.toString().contains("no AHCI controllers"), out.toString());
    }

    @Test
    void bindRefusesAControllerWithAMountedDiskAndSaysWhy() {
        Result r = run("bind", "--vfio", CTRL);
        assertEquals(2, r.exit);
        assertTrue(r.err.contains("refusing to take " + CTRL + " from the kernel's ahci driver"), r.err);
        assertTrue(r.err.contains("sda1 is mounted on /mnt (ext2)"), r.err);
        assertTrue(r.err.contains("sda is held by dm-0"), r.err);
    }

    @Test
    void bindNeedsExactlyOneTarget() {
        assertEquals(2, run("bind", CTRL).exit);
        assertEquals(2, run("bind", "--vfio", "--uio", CTRL).exit);
    }

    @Test
    void wrongAddressesAreUsageErrors() {
        Result missing = run("bind", "--uio", "0000:00:09.0");
        assertEquals(2, missing.exit);
        assertTrue(missing.err.contains("0000:00:09.0 does not exist") && missing.err.contains("jahci list"), missing.err);
        Result malformed = run("unbind", "00:5.0");
        assertEquals(2, malformed.exit);
        assertTrue(malformed.err.contains("e.g. 0000:00:05.0"), malformed.err);
    }

    @Test
    void deviceSpecsForVfioAndUioAreValidated() {
        Result bad = run("--device", "vfio:5", "identify");
        assertEquals(2, bad.exit);
        assertTrue(bad.err.contains("is not a PCI address") && bad.err.contains("0000:00:05.0"), bad.err);
        Result unknown = run("--device", "pci:0000:00:05.0", "identify");
        assertEquals(2, unknown.exit);
        assertTrue(unknown.err.contains("'vfio:0000:00:05.0'") && unknown.err.contains("'uio:0000:00:05.0'"), unknown.err);
        Result msiOnUio = run("--device", "uio:0000:00:05.0", "--irq", "msi", "identify");
        assertEquals(2, msiOnUio.exit);
        assertTrue(msiOnUio.err.contains("INTx only"), msiOnUio.err);
        Result badIrq = run("--device", "vfio:0000:00:05.0", "--irq", "msix", "identify");
        assertEquals(2, badIrq.exit);
        assertTrue(badIrq.err.contains("use msi, intx or auto"), badIrq.err);
    }

    /** The transports look at the real /sys: an address no machine has gives "does not exist", exit 2. */
    @Test
    void aMissingDeviceIsReportedByTheTransports() {
        for (String kind : new String[] {"vfio", "uio"}) {
            Result r = run("--device", kind + ":00ff:7f:1f.7", "identify");
            assertEquals(2, r.exit, r.err);
            assertTrue(r.err.contains("00ff:7f:1f.7 does not exist"), r.err);
        }
    }
}
