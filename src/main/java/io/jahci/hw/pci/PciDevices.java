package io.jahci.hw.pci;

import io.jahci.hw.PciFunction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * PCI discovery through sysfs: functions, their drivers and IOMMU groups, the disks the kernel
 * drives below them, and whether any of those disks is mounted, active swap or held by another
 * block device (md, dm, LVM). Reads only.
 */
public final class PciDevices {
    /** sysfs trees below a PCI function are shallow (ata1/host0/target0:0:0/0:0:0:0/block/sda/sda1). */
    private static final int MAX_DEPTH = 10;

    private final SysRoot root;

    public PciDevices(SysRoot root) {
        this.root = root;
    }

    public SysRoot root() {
        return root;
    }

    /** Every AHCI function (class 01:06:01), in address order. */
    public List<PciDeviceInfo> ahciFunctions() throws IOException {
        List<PciDeviceInfo> out = new ArrayList<>();
        if (!Files.isDirectory(root.pciDevices())) {
            return out;
        }
        List<String> addresses;
        try (Stream<Path> s = Files.list(root.pciDevices())) {
            addresses = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        MountTable mounts = MountTable.read(root);
        for (String address : addresses) {
            if (readHex(root.pciDevice(address).resolve("class")) == PciFunction.AHCI_CLASS) {
                out.add(describe(address, mounts));
            }
        }
        return out;
    }

    /** Whether {@code address} (full form) names a function on this machine. */
    public boolean exists(String address) {
        return Files.isDirectory(root.pciDevice(address));
    }

    /** The function at {@code address}; NoSuchPciDeviceException when there is none. */
    public PciDeviceInfo describe(String address) throws IOException {
        return describe(address, MountTable.read(root));
    }

    private PciDeviceInfo describe(String address, MountTable mounts) throws IOException {
        Path dir = root.pciDevice(address);
        if (!Files.isDirectory(dir)) {
            throw new NoSuchPciDeviceException(address);
        }
        return new PciDeviceInfo(address, readHex(dir.resolve("vendor")), readHex(dir.resolve("device")),
                readHex(dir.resolve("class")), linkName(dir.resolve("driver")), linkName(dir.resolve("iommu_group")),
                disks(dir, mounts));
    }

    /**
     * Checks that {@code address} exists and is an AHCI function, with errors that say what to do.
     *
     * @throws NoSuchPciDeviceException when there is no such function
     * @throws IllegalArgumentException when it is not AHCI
     */
    public void requireAhci(String address) throws IOException {
        if (!exists(address)) {
            throw new NoSuchPciDeviceException(address);
        }
        int classCode = readHex(root.pciDevice(address).resolve("class"));
        if (classCode != PciFunction.AHCI_CLASS) {
            throw new IllegalArgumentException(address + " is PCI class " + String.format("%06x", classCode)
                    + ", not an AHCI controller (010601); `jahci list` shows the AHCI controllers");
        }
    }

    /**
     * The "bound to driver" check every host transport makes before it opens {@code address}: an AHCI
     * function bound to {@code driver}. PASSIVE; reads sysfs only.
     *
     * @param bindFlag the {@code jahci bind} flag that binds it, e.g. {@code --vfio}, for the message
     * @throws NoSuchPciDeviceException when there is no such function
     * @throws IllegalArgumentException when it is not AHCI
     * @throws DeviceNotBoundException  when another driver (or none) owns it; names the bind command
     */
    public void requireBound(String address, String driver, String bindFlag) throws IOException {
        requireAhci(address);
        Optional<String> current = driver(address);
        if (current.filter(driver::equals).isEmpty()) {
            throw DeviceNotBoundException.of(address, current.orElse(null), driver, bindFlag);
        }
    }

    /** The driver bound to {@code address}, if any. */
    public Optional<String> driver(String address) {
        return linkName(root.pciDevice(address).resolve("driver"));
    }

    /** The IOMMU group of {@code address}, empty when the IOMMU is off. */
    public Optional<String> iommuGroup(String address) {
        return linkName(root.pciDevice(address).resolve("iommu_group"));
    }

    /** The functions in IOMMU group {@code group}, in address order. */
    public List<String> groupMembers(String group) throws IOException {
        Path devices = root.iommuGroup(group).resolve("devices");
        if (!Files.isDirectory(devices)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(devices)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * The other functions of IOMMU group {@code group} that keep it from being viable for VFIO, each as
     * {@code BDF (bound to DRIVER)}: every function of a group must be bound to vfio-pci, pci-stub or no driver
     * before any of them can be opened; bridges (pcieport) may keep their driver. Reads sysfs only.
     */
    public List<String> groupBlockers(String address, String group) throws IOException {
        List<String> blockers = new ArrayList<>();
        for (String member : groupMembers(group)) {
            Optional<String> driver = driver(member);
            if (!member.equals(address) && driver.isPresent()
                    && !Set.of("vfio-pci", "pci-stub", "pcieport").contains(driver.get())) {
                blockers.add(member + " (bound to " + driver.get() + ")");
            }
        }
        return blockers;
    }

    /** The disks below the function directory {@code dir}: every entry of every {@code block} directory. */
    List<BlockDisk> disks(Path dir, MountTable mounts) throws IOException {
        Path real = dir.toRealPath();
        List<Path> blockDirs;
        try (Stream<Path> s = Files.walk(real, MAX_DEPTH)) {
            blockDirs = s.filter(p -> p.getFileName() != null && p.getFileName().toString().equals("block")
                    && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        List<String> ataPorts;
        try (Stream<Path> s = Files.list(real)) {
            ataPorts = s.map(p -> p.getFileName().toString()).filter(n -> n.matches("ata\\d+"))
                    .sorted(Comparator.comparingInt(n -> Integer.parseInt(n.substring(3)))).toList();
        }
        List<BlockDisk> disks = new ArrayList<>();
        for (Path block : blockDirs) {
            int port = ahciPort(real, real.relativize(block), ataPorts);
            try (Stream<Path> s = Files.list(block)) {
                for (Path disk : s.sorted().toList()) {
                    disks.add(blockDisk(disk, port, mounts));
                }
            }
        }
        return disks;
    }

    /**
     * The AHCI port of the libata port {@code ataN} that {@code below} (a path under the function) starts
     * with: its {@code ata_port/ataN/port_no} (1-based within the host) where the kernel has it, else its
     * place among the function's {@code ataN} directories (libahci makes one per port up to the highest
     * implemented, in port order). -1 when the path names no ataN.
     */
    static int ahciPort(Path function, Path below, List<String> ataPorts) throws IOException {
        String ata = below.getNameCount() == 0 ? "" : below.getName(0).toString();
        if (!ataPorts.contains(ata)) {
            return -1;
        }
        Optional<String> portNo = readTrimmed(function.resolve(ata).resolve("ata_port").resolve(ata).resolve("port_no"));
        if (portNo.isPresent() && portNo.get().matches("\\d+")) {
            return Integer.parseInt(portNo.get()) - 1;
        }
        return ataPorts.indexOf(ata);
    }

    private BlockDisk blockDisk(Path diskDir, int port, MountTable mounts) throws IOException {
        String name = diskDir.getFileName().toString();
        List<String> partitions = new ArrayList<>();
        try (Stream<Path> s = Files.list(diskDir)) {
            for (Path p : s.sorted().toList()) {
                if (Files.isRegularFile(p.resolve("partition"))) {
                    partitions.add(p.getFileName().toString());
                }
            }
        }
        Set<String> uses = new LinkedHashSet<>();
        List<String> all = new ArrayList<>();
        all.add(name);
        all.addAll(partitions);
        for (String part : all) {
            Path node = part.equals(name) ? diskDir : diskDir.resolve(part);
            String devNumber = readTrimmed(node.resolve("dev")).orElse("");
            for (MountTable.Mount m : mounts.mountsOf(part, devNumber)) {
                uses.add(part + " is mounted on " + m.target() + " (" + m.type() + ")");
            }
            if (mounts.isSwap(part)) {
                uses.add(part + " is active swap");
            }
            for (String holder : holders(node)) {
                uses.add(part + " is held by " + holder + " (md, dm or LVM)");
            }
        }
        String model = readTrimmed(diskDir.getParent().getParent().resolve("model")).orElse("");
        long size = readTrimmed(diskDir.resolve("size")).map(Long::parseLong).orElse(0L) * 512;   // 512-byte units
        return new BlockDisk(name, port, model, size, partitions, new ArrayList<>(uses));
    }

    private static List<String> holders(Path node) throws IOException {
        Path holders = node.resolve("holders");
        if (!Files.isDirectory(holders)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(holders)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The last element of a symlink's target (sysfs' driver and iommu_group links). */
    static Optional<String> linkName(Path link) {
        if (!Files.isSymbolicLink(link)) {
            return Optional.empty();
        }
        try {
            Path target = Files.readSymbolicLink(link);
            return Optional.of(target.getFileName().toString());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A sysfs number such as {@code 0x8086} or {@code 0x010601}; -1 when missing. */
    static int readHex(Path file) throws IOException {
        Optional<String> text = readTrimmed(file);
        if (text.isEmpty()) {
            return -1;
        }
        String s = text.get();
        try {
            return Integer.parseUnsignedInt(s.startsWith("0x") ? s.substring(2) : s, 16);
        } catch (NumberFormatException e) {
            throw new IOException(file + " holds '" + s + "', not a hex number", e);
        }
    }

    static Optional<String> readTrimmed(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        return Optional.of(Files.readString(file).trim());
    }
}
