package io.jahci.hw.pci;

import io.jahci.hw.RefusedException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;

/**
 * Hands an AHCI function from the kernel to jahci and back, through sysfs:
 * {@code driver_override}, the current driver's {@code unbind} and {@code drivers_probe}
 * (Documentation/ABI/testing/sysfs-bus-pci).
 *
 * <p>Safety rule: a controller is never taken from the kernel while a disk on it holds a mounted
 * file system, an active swap area, or has holders (md, dm, LVM). The refusal names the disk and why.
 */
public final class PciBinder {
    /** Which user-space driver to give a controller to. */
    public enum Target {
        VFIO("vfio-pci", "vfio-pci"),
        UIO("uio_pci_generic", "uio_pci_generic");

        public final String driver;
        public final String module;

        Target(String driver, String module) {
            this.driver = driver;
            this.module = module;
        }
    }

    /** The kernel's AHCI driver. */
    public static final String KERNEL_DRIVER = "ahci";

    private final PciDevices devices;
    private final SysRoot root;
    private final SysfsKernel kernel;

    public PciBinder(PciDevices devices, SysfsKernel kernel) {
        this.devices = devices;
        this.root = devices.root();
        this.kernel = kernel;
    }

    /**
     * Binds {@code address} to {@code target}'s driver and returns what was done, one line.
     *
     * @throws NoSuchPciDeviceException when there is no such function
     * @throws IllegalArgumentException when it is not AHCI (nothing changed)
     * @throws RefusedException         when a disk on it is in use (nothing changed)
     */
    public String bind(String address, Target target) throws IOException {
        PciDeviceInfo info = devices.describe(address);
        if (!info.isAhci()) {
            throw new IllegalArgumentException(address + " (" + info.ids() + ", class " + String.format("%06x", info.classCode())
                    + ") is not an AHCI controller (class 010601); jahci binds only AHCI functions. `jahci list` shows them.");
        }
        if (info.driver().filter(target.driver::equals).isPresent()) {
            return address + " is already bound to " + target.driver + suffix(address, target);
        }
        List<String> uses = info.uses();
        if (!uses.isEmpty()) {
            throw new RefusedException("refusing to take " + address + " from the kernel's "
                    + info.driverName() + " driver: " + String.join("; ", uses)
                    + ". Unmount it, swapoff it or stop what holds it (mdadm --stop, dmsetup remove, vgchange -an) first.");
        }
        ensureDriver(target.driver, target.module);
        kernel.write(root.pciDevice(address).resolve("driver_override"), target.driver + "\n");
        Optional<String> current = info.driver();
        if (current.isPresent()) {
            kernel.write(root.pciDrivers().resolve(current.get()).resolve("unbind"), address);
        }
        kernel.write(root.driversProbe(), address);
        Optional<String> now = devices.driver(address);
        if (now.filter(target.driver::equals).isEmpty()) {
            throw new IOException("binding " + address + " to " + target.driver + " did not take: it is bound to "
                    + now.orElse("no driver") + "; see dmesg"
                    + (target == Target.UIO ? " (uio_pci_generic needs a device that supports INTx masking)" : ""));
        }
        return address + " is bound to " + target.driver + (current.isPresent() ? " (was " + current.get() + ")" : "")
                + suffix(address, target);
    }

    private String suffix(String address, Target target) throws IOException {
        if (target != Target.VFIO) {
            return "";
        }
        Optional<String> group = devices.iommuGroup(address);
        if (group.isEmpty()) {
            return "; WARNING: it has no IOMMU group, so VFIO cannot use it: enable the IOMMU "
                    + "(intel_iommu=on or amd_iommu=on on the kernel command line, VT-d/AMD-Vi in the firmware)";
        }
        List<String> others = devices.groupMembers(group.get()).stream().filter(a -> !a.equals(address)).toList();
        return "; IOMMU group " + group.get() + " (/dev/vfio/" + group.get() + ")"
                + (others.isEmpty() ? "" : ", shared with " + String.join(", ", others));
    }

    /**
     * Gives {@code address} back to the kernel's ahci driver: clears driver_override, unbinds the
     * current driver and lets the kernel probe. Returns what was done, one line.
     */
    public String unbind(String address) throws IOException {
        PciDeviceInfo info = devices.describe(address);
        Optional<String> current = info.driver();
        if (current.filter(KERNEL_DRIVER::equals).isPresent()) {
            return address + " is already bound to the kernel's " + KERNEL_DRIVER + " driver";
        }
        ensureDriver(KERNEL_DRIVER, KERNEL_DRIVER);
        kernel.write(root.pciDevice(address).resolve("driver_override"), "\n");
        if (current.isPresent()) {
            kernel.write(root.pciDrivers().resolve(current.get()).resolve("unbind"), address);
        }
        kernel.write(root.driversProbe(), address);
        Optional<String> now = devices.driver(address);
        if (now.filter(KERNEL_DRIVER::equals).isEmpty()) {
            throw new IOException("giving " + address + " back to the kernel's " + KERNEL_DRIVER + " driver did not take: "
                    + "it is bound to " + now.orElse("no driver") + "; see dmesg");
        }
        return address + " is bound to the kernel's " + KERNEL_DRIVER + " driver"
                + (current.isPresent() ? " (was " + current.get() + ")" : "");
    }

    private void ensureDriver(String driver, String module) throws IOException {
        if (!Files.isDirectory(root.pciDrivers().resolve(driver))) {
            kernel.loadModule(module);
            if (!Files.isDirectory(root.pciDrivers().resolve(driver))) {
                throw new IOException("modprobe " + module + " ran, but " + root.pciDrivers().resolve(driver)
                        + " does not exist");
            }
        }
    }
}
