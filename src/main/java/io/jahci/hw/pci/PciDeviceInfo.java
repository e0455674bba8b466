package io.jahci.hw.pci;

import io.jahci.hw.PciFunction;
import java.util.List;
import java.util.Optional;

/**
 * One PCI function as sysfs describes it.
 *
 * @param address    e.g. {@code 0000:00:05.0}
 * @param vendor     vendor ID
 * @param device     device ID
 * @param classCode  class, subclass and programming interface, e.g. {@code 0x010601} for AHCI
 * @param driver     the bound driver, empty when none
 * @param iommuGroup the IOMMU group number, empty when the IOMMU is off
 * @param disks      the block devices the kernel drives below this function (only while a kernel
 *                   storage driver such as {@code ahci} is bound)
 */
public record PciDeviceInfo(String address, int vendor, int device, int classCode, Optional<String> driver,
        Optional<String> iommuGroup, List<BlockDisk> disks) {
    public PciDeviceInfo {
        disks = List.copyOf(disks);
    }

    public boolean isAhci() {
        return classCode == PciFunction.AHCI_CLASS;
    }

    public String ids() {
        return String.format("%04x:%04x", vendor, device);
    }

    public String driverName() {
        return driver.orElse("(none)");
    }

    /** Every reason a disk on this function is in use, e.g. {@code sda1 is mounted on /mnt (ext2)}. */
    public List<String> uses() {
        return disks.stream().flatMap(d -> d.uses().stream()).toList();
    }
}
