package io.jahci.hw.pci;

import java.nio.file.Path;

/**
 * Where sysfs, procfs and /dev are: {@code /} on a real system, a directory tree built by a test
 * otherwise. Every path jahci reads or writes for discovery and binding goes through here.
 */
public record SysRoot(Path root) {
    /** The running system. */
    public static final SysRoot SYSTEM = new SysRoot(Path.of("/"));

    public Path pciDevices() {
        return root.resolve("sys/bus/pci/devices");
    }

    public Path pciDevice(String bdf) {
        return pciDevices().resolve(bdf);
    }

    public Path pciDrivers() {
        return root.resolve("sys/bus/pci/drivers");
    }

    public Path driversProbe() {
        return root.resolve("sys/bus/pci/drivers_probe");
    }

    public Path iommuGroup(String group) {
        return root.resolve("sys/kernel/iommu_groups").resolve(group);
    }

    public Path sysBlock() {
        return root.resolve("sys/block");
    }

    public Path mounts() {
        return root.resolve("proc/self/mounts");
    }

    public Path mountInfo() {
        return root.resolve("proc/self/mountinfo");
    }

    public Path swaps() {
        return root.resolve("proc/swaps");
    }

    public Path dev() {
        return root.resolve("dev");
    }

    /** An absolute path as the system names it (e.g. {@code /dev/sda1}), inside this root. */
    public Path resolveAbsolute(String absolute) {
        return root.resolve(absolute.startsWith("/") ? absolute.substring(1) : absolute);
    }
}
