package io.jahci.hw.pci;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Discovery and the in-use checks, on a fake sysfs/procfs tree. */
class PciDevicesTest {
    static final String CTRL = "0000:00:05.0";
    static final String ONBOARD = "0000:00:1f.2";

    @TempDir
    Path dir;
    FakeSysfs fs;
    PciDevices devices;

    @BeforeEach
    void tree() throws Exception {
        fs = new FakeSysfs(dir);
        fs.pci(CTRL, 0x8086, 0x2922, 0x010601).bindTo(CTRL, "ahci").group(CTRL, 4);
        fs.pci(ONBOARD, 0x8086, 0x2922, 0x010601).bindTo(ONBOARD, "ahci").group(ONBOARD, 3);
        fs.pci("0000:00:1f.0", 0x8086, 0x2918, 0x060100).bindTo("0000:00:1f.0", "lpc_ich").group("0000:00:1f.0", 3);
        fs.pci("0000:00:02.0", 0x1af4, 0x1000, 0x020000);
        devices = new PciDevices(fs.sysRoot);
    }

    @Test
    void listsOnlyAhciFunctionsWithIdsDriverAndGroup() throws Exception {
        List<PciDeviceInfo> all = devices.ahciFunctions();
        assertEquals(List.of(CTRL, ONBOARD), all.stream().map(PciDeviceInfo::address).toList());
        PciDeviceInfo c = all.get(0);
        assertEquals("8086:2922", c.ids());
        assertEquals("ahci", c.driverName());
        assertEquals("4", c.iommuGroup().orElseThrow());
        assertEquals(List.of("0000:00:1f.0", ONBOARD), devices.groupMembers("3"));
        assertTrue(c.disks().isEmpty());
    }

    @Test
    void groupBlockersAreTheOtherMembersOnAKernelDriverExceptVfioStubAndBridges() throws Exception {
        fs.pci("0000:00:1f.3", 0x8086, 0x2930, 0x0c0500).bindTo("0000:00:1f.3", "vfio-pci").group("0000:00:1f.3", 3);
        fs.pci("0000:00:1c.0", 0x8086, 0x2940, 0x060400).bindTo("0000:00:1c.0", "pcieport").group("0000:00:1c.0", 3);
        fs.pci("0000:00:1f.4", 0x8086, 0x2931, 0x0c0500).group("0000:00:1f.4", 3);
        assertEquals(List.of("0000:00:1f.0 (bound to lpc_ich)"), devices.groupBlockers(ONBOARD, "3"));
        assertEquals(List.of(), devices.groupBlockers(CTRL, "4"));
    }

    @Test
    void noDriverAndNoIommuGroup() throws Exception {
        fs.pci("0000:00:06.0", 0x8086, 0x2922, 0x010601);
        PciDeviceInfo d = devices.describe("0000:00:06.0");
        assertTrue(d.driver().isEmpty());
        assertEquals("(none)", d.driverName());
        assertTrue(d.iommuGroup().isEmpty());
    }

    @Test
    void findsDisksAndPartitionsBelowTheFunctionOnly() throws Exception {
        fs.disk(CTRL, 0, "sda", 8, 0, 2);
        fs.disk(CTRL, 1, "sdb", 8, 16, 0);
        fs.disk(ONBOARD, 0, "sdc", 8, 32, 1);
        PciDeviceInfo c = devices.describe(CTRL);
        assertEquals(List.of("sda", "sdb"), c.disks().stream().map(BlockDisk::name).toList());
        assertEquals(List.of("sda1", "sda2"), c.disks().get(0).partitions());
        assertTrue(c.uses().isEmpty(), c.uses().toString());
    }

    @Test
    void aMountedPartitionIsInUse() throws Exception {
        fs.disk(CTRL, 0, "sda", 8, 0, 2);
        fs.mount("/dev/sda2", "/mnt/data", "ext4");
        fs.mount("tmpfs", "/tmp", "tmpfs");
        assertEquals(List.of("sda2 is mounted on /mnt/data (ext4)"), devices.describe(CTRL).uses());
    }

    @Test
    void aWholeDiskMountThroughAByUuidLinkIsInUse() throws Exception {
        fs.disk(CTRL, 1, "sdb", 8, 16, 0);
        fs.link("dev/disk/by-uuid/1234-abcd", "../../sdb");
        fs.mount("/dev/disk/by-uuid/1234-abcd", "/srv", "ext2");
        assertEquals(List.of("sdb is mounted on /srv (ext2)"), devices.describe(CTRL).uses());
    }

    @Test
    void mountinfoDeviceNumbersCatchARootMountedAsDevRoot() throws Exception {
        fs.disk(CTRL, 0, "sda", 8, 0, 1);
        fs.mountInfo("8:1", "/dev/root", "/", "ext4");
        assertEquals(List.of("sda1 is mounted on / (ext4)"), devices.describe(CTRL).uses());
    }

    @Test
    void escapedMountPointsAreUnescaped() throws Exception {
        fs.disk(CTRL, 0, "sda", 8, 0, 1);
        fs.mount("/dev/sda1", "/media/my\\040disk", "vfat");
        assertEquals(List.of("sda1 is mounted on /media/my disk (vfat)"), devices.describe(CTRL).uses());
    }

    @Test
    void activeSwapAndHoldersAreInUse() throws Exception {
        Path sda = fs.disk(CTRL, 0, "sda", 8, 0, 2);
        Path sdb = fs.disk(CTRL, 1, "sdb", 8, 16, 0);
        fs.swap("/dev/sda1");
        fs.holder(sda.resolve("sda2"), "md0");
        fs.holder(sdb, "dm-0");
        PciDeviceInfo c = devices.describe(CTRL);
        assertEquals(List.of("sda1 is active swap", "sda2 is held by md0 (md, dm or LVM)"), c.disks().get(0).uses());
        assertEquals(List.of("sdb is held by dm-0 (md, dm or LVM)"), c.disks().get(1).uses());
        assertTrue(c.disks().get(0).inUse());
    }

    @Test
    void aSwapFileOnAnotherDiskDoesNotCount() throws Exception {
        fs.disk(CTRL, 0, "sda", 8, 0, 1);
        fs.swap("/swapfile");
        fs.mount("/dev/sdc1", "/", "ext4");
        assertTrue(devices.describe(CTRL).uses().isEmpty());
    }

    @Test
    void unknownAddressSaysItDoesNotExistAndPointsAtList() {
        NoSuchPciDeviceException e = assertThrows(NoSuchPciDeviceException.class, () -> devices.describe("0000:00:09.0"));
        assertTrue(e.getMessage().contains("0000:00:09.0 does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("jahci list"), e.getMessage());
    }

    @Test
    void requireAhciRejectsOtherClasses() throws Exception {
        devices.requireAhci(CTRL);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> devices.requireAhci("0000:00:02.0"));
        assertTrue(e.getMessage().contains("not an AHCI controller"), e.getMessage());
        assertThrows(NoSuchPciDeviceException.class, () -> devices.requireAhci("0000:00:09.0"));
    }
}
