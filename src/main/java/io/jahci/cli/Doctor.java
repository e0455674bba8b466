package io.jahci.cli;

import io.jahci.hw.DmaPool;
import io.jahci.hw.PciFunction;
import io.jahci.hw.pci.PciDeviceInfo;
import io.jahci.hw.pci.PciDevices;
import io.jahci.hw.pci.SysRoot;
import io.jahci.miniport.AhciPortOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What {@code jahci doctor} checks: every precondition for driving a controller through VFIO or UIO, read from
 * sysfs and procfs under a {@link SysRoot} (a fake tree in tests), each a {@link Check} with the command that fixes
 * it. Reads only; touches no device. Runs on the command's thread (PASSIVE).
 */
final class Doctor {
    enum Status { PASS, WARN, FAIL }

    /** One finding: what was checked ({@code name}), what was found, and the command that fixes it ("" if none). */
    record Check(Status status, String name, String finding, String fix) {}

    /** Most ports an AHCI HBA has (CAP.NP is 5 bits, AHCI 1.3.1 §3.1.1). */
    static final int MAX_PORTS = 32;
    /** Most commands a port queues (AHCI 1.3.1 §3.1.1, CAP.NCS). */
    static final int MAX_DEPTH = 32;
    private static final long HUGE_PAGE = 2L * 1024 * 1024;
    /** CapEff bits (linux/capability.h): CAP_DAC_OVERRIDE, CAP_IPC_LOCK, CAP_SYS_NICE. */
    private static final int CAP_DAC_OVERRIDE = 1;
    private static final int CAP_IPC_LOCK = 14;
    private static final int CAP_SYS_NICE = 23;

    private final SysRoot root;
    private final PciDevices devices;
    private final AhciPortOptions options;
    private final List<Check> checks = new ArrayList<>();
    private final ProcessStatus self;

    Doctor(SysRoot root, AhciPortOptions options) throws IOException {
        this.root = root;
        this.devices = new PciDevices(root);
        this.options = options;
        this.self = ProcessStatus.read(root.resolveAbsolute("/proc/self/status"));
    }

    /** Every check, for the controller {@code bdf} or (null) every AHCI controller. */
    List<Check> run(String bdf) throws IOException {
        checkIommu();
        checkModules();
        List<String> controllers = new ArrayList<>();
        if (bdf != null) {
            controllers.add(bdf);
        } else {
            devices.ahciFunctions().forEach(f -> controllers.add(f.address()));
            if (controllers.isEmpty()) {
                add(Status.FAIL, "controllers", "no AHCI controller (PCI class 01:06:01) on this machine",
                        "jahci still drives QEMU's AHCI: jahci demo");
            }
        }
        int ports = 0;
        for (String address : controllers) {
            ports = Math.max(ports, checkController(address));
        }
        ports = ports == 0 ? MAX_PORTS : ports;
        checkMemlock(ports);
        checkRealtime();
        checkHugePages(ports);
        return List.copyOf(checks);
    }

    private void add(Status status, String name, String finding, String fix) {
        checks.add(new Check(status, name, finding, fix));
    }

    private void checkIommu() throws IOException {
        long groups = count(root.resolveAbsolute("/sys/kernel/iommu_groups"));
        if (groups > 0) {
            add(Status.PASS, "iommu", "on: " + groups + " IOMMU groups", "");
        } else {
            add(Status.WARN, "iommu", "off (/sys/kernel/iommu_groups is empty): vfio:BDF cannot work; uio:BDF can, "
                    + "as root and without protection", "turn on VT-d (Intel) or AMD-Vi in the firmware, boot with "
                    + "intel_iommu=on (AMD: amd_iommu=on) and reboot");
        }
    }

    private void checkModules() throws IOException {
        String release = read(root.resolveAbsolute("/proc/sys/kernel/osrelease")).orElse("").strip();
        boolean vfio = module("vfio_pci", "vfio-pci", release);
        boolean uio = module("uio_pci_generic", "uio_pci_generic", release);
        if (!vfio && !uio) {
            add(Status.FAIL, "modules", "neither vfio-pci nor uio_pci_generic is available for kernel " + release
                    + ": jahci cannot reach a controller", "sudo apt-get install linux-image-" + release);
        }
    }

    /** Adds the check of one module; whether it is loaded, built in or installed. */
    private boolean module(String loadedName, String fileName, String release) throws IOException {
        if (Files.isDirectory(root.resolveAbsolute("/sys/module/" + loadedName))) {
            add(Status.PASS, "modules", fileName + ": loaded", "");
            return true;
        }
        Path dir = root.resolveAbsolute("/lib/modules/" + release);
        for (String list : new String[] {"modules.builtin", "modules.dep"}) {
            if (read(dir.resolve(list)).orElse("").contains("/" + fileName + ".ko")) {
                add(Status.PASS, "modules", fileName + ": installed for kernel " + release + " (jahci bind loads it)", "");
                return true;
            }
        }
        add(Status.WARN, "modules", fileName + ": not installed for kernel " + release,
                "sudo apt-get install linux-image-" + release);
        return false;
    }

    /** The checks of one controller; returns its port count (or {@link #MAX_PORTS} when unknown). */
    private int checkController(String address) throws IOException {
        if (!devices.exists(address)) {
            add(Status.FAIL, address, "no PCI function " + address + " on this machine", "jahci list");
            return MAX_PORTS;
        }
        PciDeviceInfo f = devices.describe(address);
        if (!f.isAhci()) {
            add(Status.FAIL, address, String.format("PCI class %06x, not an AHCI controller (010601)", f.classCode()),
                    "jahci list");
            return MAX_PORTS;
        }
        String driver = f.driverName();
        switch (driver) {
            case "ahci" -> {
                if (f.uses().isEmpty()) {
                    add(Status.PASS, address + " driver", "ahci; its disks are not mounted, swap or held",
                            "sudo jahci bind --vfio " + address + " (or --uio)");
                } else {
                    add(Status.FAIL, address + " driver", "ahci, and jahci bind refuses: " + String.join("; ", f.uses()),
                            "unmount, swapoff or stop the holder first; never the controller of your root file system");
                }
            }
            case "vfio-pci", "uio_pci_generic" -> add(Status.PASS, address + " driver", driver + " (bound for jahci)", "");
            default -> add(Status.WARN, address + " driver", driver, "sudo jahci bind --vfio " + address + " (or --uio)");
        }
        Optional<String> group = f.iommuGroup();
        if (group.isPresent()) {
            checkGroup(address, group.get(), driver);
        }
        checkMsi(address);
        return ports(address);
    }

    private void checkGroup(String address, String group, String driver) throws IOException {
        List<String> others = devices.groupMembers(group).stream().filter(a -> !a.equals(address)).toList();
        List<String> blockers = devices.groupBlockers(address, group);
        if (blockers.isEmpty()) {
            add(Status.PASS, address + " group", "IOMMU group " + group + " is viable"
                    + (others.isEmpty() ? " (alone)" : " (with " + String.join(", ", others) + ")"), "");
        } else {
            add(Status.FAIL, address + " group", "IOMMU group " + group + " is shared with " + String.join(", ", blockers)
                    + ": VFIO opens a group only when every device in it left its kernel driver",
                    "bind those to vfio-pci too if nothing else needs them, or put the controller in a slot with its "
                            + "own IOMMU group; uio:" + address + " needs no IOMMU group");
        }
        if (!driver.equals("vfio-pci")) {
            return;
        }
        Path node = root.resolveAbsolute("/dev/vfio/" + group);
        if (!Files.exists(node)) {
            add(Status.FAIL, address + " /dev/vfio", "/dev/vfio/" + group + " does not exist", "sudo modprobe vfio-pci");
        } else if (self.has(CAP_DAC_OVERRIDE) || accessible(node)) {
            add(Status.PASS, address + " /dev/vfio", "/dev/vfio/" + group + " is open to this user", "");
        } else {
            add(Status.FAIL, address + " /dev/vfio", "/dev/vfio/" + group + " is not open to uid " + self.uid(),
                    "sudo chown " + System.getProperty("user.name") + " /dev/vfio/" + group + " (or run jahci as root)");
        }
    }

    /** Whether this process's uid or groups may read and write {@code node}, by its owner, group and mode. */
    private boolean accessible(Path node) throws IOException {
        int mode = (int) Files.getAttribute(node, "unix:mode");
        int uid = (int) Files.getAttribute(node, "unix:uid");
        int gid = (int) Files.getAttribute(node, "unix:gid");
        int rw = uid == self.uid() ? mode >> 6 : self.groups().contains(gid) ? mode >> 3 : mode;
        return (rw & 6) == 6;
    }

    /** MSI in the function's capability list (PCI 3.0 §6.7, §6.8.1), from sysfs {@code config}. */
    private void checkMsi(String address) throws IOException {
        byte[] config = Files.readAllBytes(root.pciDevice(address).resolve("config"));
        if (config.length < 0x40 || (u16(config, PciFunction.STATUS) & PciFunction.STATUS_CAPABILITIES_LIST) == 0) {
            add(Status.WARN, address + " msi", "no capability list: interrupts are INTx (shared line)", "");
            return;
        }
        int at = config[PciFunction.CAPABILITIES_POINTER] & 0xfc;
        for (int hops = 0; at >= 0x40 && hops < 48; hops++) {
            if (at + 1 >= config.length) {
                add(Status.WARN, address + " msi", "config space past 64 bytes is readable by root only",
                        "sudo jahci doctor " + address);
                return;
            }
            if ((config[at] & 0xff) == PciFunction.CAPABILITY_MSI) {
                add(Status.PASS, address + " msi", String.format("MSI capability at 0x%02x: vfio takes MSI (--irq auto)",
                        at), "");
                return;
            }
            at = config[at + 1] & 0xfc;
        }
        add(Status.WARN, address + " msi", "no MSI capability: interrupts are INTx (shared line)", "");
    }

    /** The ports of a controller the kernel's ahci driver holds (one ataN per port), else {@link #MAX_PORTS}. */
    private int ports(String address) throws IOException {
        try (Stream<Path> s = Files.list(root.pciDevice(address))) {
            int ata = (int) s.filter(p -> p.getFileName().toString().matches("ata\\d+")).count();
            return ata > 0 ? ata : MAX_PORTS;
        }
    }

    /** Bytes VFIO pins for {@code ports} ports whose disks queue 32 commands, in whole DMA pool regions. */
    long pinnedBytes(int ports) {
        long bytes = ports * options.dmaBytesPerPort(MAX_DEPTH);
        return (bytes + DmaPool.REGION_BYTES - 1) / DmaPool.REGION_BYTES * DmaPool.REGION_BYTES;
    }

    private void checkMemlock(int ports) throws IOException {
        long needed = pinnedBytes(ports);
        String need = mib(needed) + " MiB for " + ports + " ports (" + options.dmaBytesPerPort(MAX_DEPTH) / 1024
                + " KiB per port at queue depth " + MAX_DEPTH + ", in " + mib(DmaPool.REGION_BYTES) + " MiB DMA regions)";
        if (self.has(CAP_IPC_LOCK)) {
            add(Status.PASS, "memlock", "not limited (CAP_IPC_LOCK); VFIO pins up to " + need, "");
            return;
        }
        long limit = limit("Max locked memory");
        String fix = "ulimit -l " + needed / 1024 + " (KiB; memlock in /etc/security/limits.conf), or run as root";
        if (limit >= needed) {
            add(Status.PASS, "memlock", "ulimit -l " + limitText(limit) + " covers " + need, "");
        } else if (limit >= pinnedBytes(1)) {
            add(Status.WARN, "memlock", "ulimit -l " + limitText(limit) + " is below " + need, fix);
        } else {
            add(Status.FAIL, "memlock", "ulimit -l " + limitText(limit) + " is below " + need
                    + ": VFIO_IOMMU_MAP_DMA fails with ENOMEM", fix);
        }
    }

    private void checkRealtime() throws IOException {
        long rtprio = limit("Max realtime priority");
        if (self.has(CAP_SYS_NICE)) {
            add(Status.PASS, "rt-priority", "CAP_SYS_NICE: --rt-priority 1..99 works", "");
        } else if (rtprio > 0) {
            add(Status.PASS, "rt-priority", "ulimit -r " + limitText(rtprio) + ": --rt-priority up to that works", "");
        } else {
            add(Status.WARN, "rt-priority", "no CAP_SYS_NICE and ulimit -r 0: --rt-priority is refused",
                    "run as root, or ulimit -r 99 (rtprio in /etc/security/limits.conf)");
        }
    }

    /** UIO backs its DMA memory with 2 MiB hugetlb pages when enough are free (UioTransport). */
    private void checkHugePages(int ports) throws IOException {
        long pages = pinnedBytes(ports) / HUGE_PAGE;
        String meminfo = read(root.resolveAbsolute("/proc/meminfo")).orElse("");
        long free = meminfo.lines().filter(l -> l.startsWith("HugePages_Free:"))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim())).findFirst().orElse(0);
        if (free >= pages) {
            add(Status.PASS, "hugepages", free + " free 2 MiB huge pages cover UIO's " + pages, "");
        } else {
            add(Status.WARN, "hugepages", free + " free 2 MiB huge pages, UIO wants " + pages + " for " + ports
                    + " ports: it falls back to transparent huge pages, which may migrate",
                    "echo " + pages + " | sudo tee /proc/sys/vm/nr_hugepages");
        }
    }

    /** The soft limit named {@code name} in /proc/self/limits; Long.MAX_VALUE for unlimited, 0 when absent. */
    private long limit(String name) throws IOException {
        for (String line : read(root.resolveAbsolute("/proc/self/limits")).orElse("").lines().toList()) {
            if (line.startsWith(name)) {
                String soft = line.substring(name.length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        return 0;
    }

    private static String limitText(long limit) {
        return limit == Long.MAX_VALUE ? "unlimited" : limit >= 1024 ? limit / 1024 + " KiB" : Long.toString(limit);
    }

    private static long mib(long bytes) {
        return bytes / (1024 * 1024);
    }

    private static int u16(byte[] b, int offset) {
        return (b[offset] & 0xff) | (b[offset + 1] & 0xff) << 8;
    }

    private static long count(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    private static Optional<String> read(Path file) throws IOException {
        return Files.isRegularFile(file) ? Optional.of(Files.readString(file)) : Optional.empty();
    }

    /** This process's uid, groups and effective capabilities, from /proc/self/status. */
    record ProcessStatus(int uid, Set<Integer> groups, long capEff) {
        static ProcessStatus read(Path status) throws IOException {
            int uid = -1;
            Set<Integer> groups = new java.util.HashSet<>();
            long caps = 0;
            for (String line : Doctor.read(status).orElse("").lines().toList()) {
                String[] f = line.split("\\s+");
                if (f[0].equals("Uid:") && f.length > 2) {
                    uid = Integer.parseInt(f[2]);
                } else if (f[0].equals("Groups:")) {
                    for (int i = 1; i < f.length; i++) {
                        groups.add(Integer.parseInt(f[i]));
                    }
                } else if (f[0].equals("CapEff:") && f.length > 1) {
                    caps = Long.parseUnsignedLong(f[1], 16);
                }
            }
            return new ProcessStatus(uid, groups, caps);
        }

        boolean has(int capability) {
            return (capEff >>> capability & 1) != 0;
        }
    }
}
