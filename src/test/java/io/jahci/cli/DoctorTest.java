package io.jahci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jahci.hw.pci.FakeSysfs;
import io.jahci.miniport.AhciPortOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jahci doctor} on a fake sysfs/procfs tree: each precondition found, its fix named, and the exit code. */
class DoctorTest {
    private static final String CTRL = "0000:00:05.0";
    private static final String NIC = "0000:00:05.1";

    @TempDir
    Path dir;
    private FakeSysfs fs;

    @BeforeEach
    void machine() throws Exception {
        fs = new FakeSysfs(dir);
        fs.pci(CTRL, 0x8086, 0x2922, 0x010601);
        write("proc/sys/kernel/osrelease", "6.1.0-28-amd64\n");
        write("proc/self/status", "Name:\tjava\nUid:\t1000\t1000\t1000\t1000\nGroups:\t1000 27\nCapEff:\t0000000000000000\n");
        limits("unlimited", "0");
        write("proc/meminfo", "MemTotal:       24000000 kB\nHugePages_Total:       0\nHugePages_Free:        0\n");
        Files.createDirectories(dir.resolve("sys/module/vfio_pci"));
        write("lib/modules/6.1.0-28-amd64/modules.dep", "kernel/drivers/uio/uio_pci_generic.ko.xz: kernel/drivers/uio/uio.ko.xz\n");
        config(CTRL, 0x80);
    }

    private void write(String path, String text) throws Exception {
        Files.createDirectories(dir.resolve(path).getParent());
        Files.writeString(dir.resolve(path), text);
    }

    private void limits(String memlock, String rtprio) throws Exception {
        write("proc/self/limits", "Limit                     Soft Limit           Hard Limit           Units     \n"
                + "Max locked memory         " + memlock + "                " + memlock + "                bytes     \n"
                + "Max realtime priority     " + rtprio + "                    " + rtprio + "                    \n");
    }

    /** 256 bytes of config space; with {@code msiAt} > 0 a capability list: power management, then MSI there. */
    private void config(String bdf, int msiAt) throws Exception {
        byte[] c = new byte[256];
        if (msiAt > 0) {
            c[0x06] = 0x10;
            c[0x34] = 0x40;
            c[0x40] = 0x01;
            c[0x41] = (byte) msiAt;
            c[msiAt] = 0x05;
        }
        Files.write(fs.deviceDir(bdf).resolve("config"), c);
    }

    private CliRun doctor(String... bdf) {
        String[] args = new String[2 + 1 + bdf.length];
        args[0] = "--sysroot";
        args[1] = dir.toString();
        args[2] = "doctor";
        System.arraycopy(bdf, 0, args, 3, bdf.length);
        return CliRun.of(args);
    }

    private static String line(CliRun r, String start) {
        List<String> lines = r.out().lines().filter(l -> l.matches(start + ".*")).toList();
        assertEquals(1, lines.size(), "one line matching " + start + " in\n" + r.out());
        return lines.get(0);
    }

    @Test
    void aControllerReadyForVfioPassesAndExitsZero() throws Exception {
        fs.bindTo(CTRL, "vfio-pci").group(CTRL, 3);
        Path node = dir.resolve("dev/vfio/3");
        Files.createDirectories(node.getParent());
        Files.writeString(node, "");
        Files.setAttribute(node, "unix:uid", 1000);
        Files.setPosixFilePermissions(node, PosixFilePermissions.fromString("rw-------"));
        CliRun r = doctor(CTRL);
        assertEquals(0, r.exit(), r.out() + r.err());
        line(r, "PASS  iommu +on: 1 IOMMU groups");
        line(r, "PASS  modules +vfio-pci: loaded");
        line(r, "PASS  modules +uio_pci_generic: installed for kernel 6.1.0-28-amd64 \\(jahci bind loads it\\)");
        line(r, "PASS  " + CTRL + " driver +vfio-pci \\(bound for jahci\\)");
        line(r, "PASS  " + CTRL + " group +IOMMU group 3 is viable \\(alone\\)");
        line(r, "PASS  " + CTRL + " /dev/vfio +/dev/vfio/3 is open to this user");
        line(r, "PASS  " + CTRL + " msi +MSI capability at 0x80: vfio takes MSI \\(--irq auto\\)");
        line(r, "PASS  memlock +ulimit -l unlimited covers 1040 MiB for 32 ports \\(32909 KiB per port at queue depth 32, "
                + "in 16 MiB DMA regions\\)");
        line(r, "WARN  rt-priority +no CAP_SYS_NICE and ulimit -r 0: --rt-priority is refused");
        assertTrue(r.out().contains("fix: echo 520 | sudo tee /proc/sys/vm/nr_hugepages"), r.out());
        assertTrue(r.out().endsWith("jahci can run on " + CTRL + "\n"), r.out());
    }

    @Test
    void aSharedGroupATooLowMemlockAndAClosedGroupFileEachFailWithTheirFix() throws Exception {
        fs.pci(NIC, 0x8086, 0x10d3, 0x020000).bindTo(NIC, "e1000e");
        fs.bindTo(CTRL, "vfio-pci").group(CTRL, 3).group(NIC, 3);
        Path node = dir.resolve("dev/vfio/3");
        Files.createDirectories(node.getParent());
        Files.writeString(node, "");
        Files.setPosixFilePermissions(node, PosixFilePermissions.fromString("rw-------"));
        limits("65536", "0");
        CliRun r = doctor(CTRL);
        assertEquals(1, r.exit(), r.out() + r.err());
        line(r, "FAIL  " + CTRL + " group +IOMMU group 3 is shared with " + NIC + " \\(bound to e1000e\\): VFIO opens a "
                + "group only when every device in it left its kernel driver");
        line(r, "FAIL  " + CTRL + " /dev/vfio +/dev/vfio/3 is not open to uid 1000");
        assertTrue(r.out().contains("fix: sudo chown " + System.getProperty("user.name") + " /dev/vfio/3"), r.out());
        line(r, "FAIL  memlock +ulimit -l 64 KiB is below 1040 MiB for 32 ports .*: VFIO_IOMMU_MAP_DMA fails with ENOMEM");
        long kib = new Doctor(fs.sysRoot, AhciPortOptions.DEFAULT).pinnedBytes(32) / 1024;
        assertEquals(1040 * 1024, kib);
        assertTrue(r.out().contains("fix: ulimit -l " + kib + " (KiB; memlock in /etc/security/limits.conf)"), r.out());
        assertTrue(r.out().endsWith("3 FAILs: fix them first\n"), r.out());
    }

    @Test
    void aControllerTheKernelHoldsCountsItsPortsAndNamesTheBindCommand() throws Exception {
        fs.bindTo(CTRL, "ahci");
        for (int port = 1; port <= 6; port++) {
            Files.createDirectories(fs.deviceDir(CTRL).resolve("ata" + port));
        }
        fs.disk(CTRL, 0, "sda", 8, 0, 1);
        fs.mount("/dev/sda1", "/", "ext4");
        config(CTRL, 0);
        write("proc/self/status", "Uid:\t0\t0\t0\t0\nCapEff:\t000001ffffffffff\n");
        write("proc/meminfo", "HugePages_Free:      128\n");
        CliRun r = doctor(CTRL);
        assertEquals(1, r.exit(), r.out());
        line(r, "WARN  iommu +off .*");
        line(r, "FAIL  " + CTRL + " driver +ahci, and jahci bind refuses: sda1 is mounted on / \\(ext4\\)");
        line(r, "WARN  " + CTRL + " msi +no capability list: interrupts are INTx \\(shared line\\)");
        line(r, "PASS  memlock +not limited \\(CAP_IPC_LOCK\\); VFIO pins up to 208 MiB for 6 ports .*");
        line(r, "PASS  rt-priority +CAP_SYS_NICE: --rt-priority 1..99 works");
        line(r, "PASS  hugepages +128 free 2 MiB huge pages cover UIO's 104");
    }

    /** {@code doctor --json}: docs/json.md's keys, one check per element, the FAILs counted, exit 1 with a FAIL. */
    @Test
    void theJsonDocumentHasItsDocumentedKeys() throws Exception {
        java.util.Map<String, Object> ready = JsonDocumentsTest.run(0, "--sysroot", dir.toString(), "doctor", CTRL, "--json");
        JsonDocumentsTest.check("doctor", ready, true);
        assertEquals(CTRL, ready.get("address"));
        assertEquals(0, ready.get("failures"));
        fs.pci(NIC, 0x8086, 0x10d3, 0x020000);
        config(NIC, 0);
        java.util.Map<String, Object> nic = JsonDocumentsTest.run(1, "--sysroot", dir.toString(), "doctor", NIC, "--json");
        List<Object> checks = io.jahci.testing.JsonReader.list(nic.get("checks"));
        long fails = checks.stream().filter(c -> "FAIL".equals(io.jahci.testing.JsonReader.object(c).get("status"))).count();
        assertTrue(fails > 0, "a NIC is no AHCI controller: " + nic);
        assertEquals(fails, ((Number) nic.get("failures")).longValue());
    }

    @Test
    void aWrongAddressFailsNamingJahciList() throws Exception {
        fs.pci(NIC, 0x8086, 0x10d3, 0x020000);
        config(NIC, 0);
        CliRun missing = doctor("0000:00:1f.7");
        assertEquals(1, missing.exit());
        line(missing, "FAIL  0000:00:1f.7 +no PCI function 0000:00:1f.7 on this machine");
        CliRun notAhci = doctor(NIC);
        assertEquals(1, notAhci.exit());
        line(notAhci, "FAIL  " + NIC + " +PCI class 020000, not an AHCI controller \\(010601\\)");
        CliRun malformed = doctor("5");
        assertEquals(2, malformed.exit(), malformed.err());
    }

    @Test
    void configSpaceCutAt64BytesSaysRootCanReadTheMsiCapability() throws Exception {
        fs.bindTo(CTRL, "vfio-pci");
        byte[] c = new byte[64];
        c[0x06] = 0x10;
        c[0x34] = (byte) 0x80;
        Files.write(fs.deviceDir(CTRL).resolve("config"), c);
        CliRun r = doctor(CTRL);
        line(r, "WARN  " + CTRL + " msi +config space past 64 bytes is readable by root only");
        assertTrue(r.out().contains("fix: sudo jahci doctor " + CTRL), r.out());
    }
}
