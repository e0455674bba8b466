package io.jahci.hw.pci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A fake sysfs/procfs tree in a temporary directory, shaped like the real one: functions under
 * sys/devices/pci0000:00 with sys/bus/pci/devices links, driver and iommu_group links, disks under
 * ataN/hostN/targetN:0:0/N:0:0:0/block, /proc/self/mounts, mountinfo and /proc/swaps.
 */
public final class FakeSysfs {
    public final Path root;
    public final SysRoot sysRoot;

    public FakeSysfs(Path root) throws IOException {
        this.root = root;
        this.sysRoot = new SysRoot(root);
        Files.createDirectories(root.resolve("sys/bus/pci/devices"));
        Files.createDirectories(root.resolve("sys/bus/pci/drivers"));
        Files.createDirectories(root.resolve("proc/self"));
        Files.createDirectories(root.resolve("dev"));
        Files.writeString(root.resolve("sys/bus/pci/drivers_probe"), "");
        Files.writeString(sysRoot.mounts(), "");
        Files.writeString(sysRoot.swaps(), "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
    }

    public Path deviceDir(String bdf) {
        return root.resolve("sys/devices/pci0000:00").resolve(bdf);
    }

    public FakeSysfs pci(String bdf, int vendor, int device, int classCode) throws IOException {
        Path dir = deviceDir(bdf);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("vendor"), String.format("0x%04x%n", vendor));
        Files.writeString(dir.resolve("device"), String.format("0x%04x%n", device));
        Files.writeString(dir.resolve("class"), String.format("0x%06x%n", classCode));
        Files.writeString(dir.resolve("driver_override"), "(null)\n");
        Files.createSymbolicLink(sysRoot.pciDevice(bdf), Path.of("../../../devices/pci0000:00/" + bdf));
        return this;
    }

    public FakeSysfs driver(String name) throws IOException {
        Path dir = sysRoot.pciDrivers().resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("bind"), "");
        Files.writeString(dir.resolve("unbind"), "");
        return this;
    }

    public FakeSysfs bindTo(String bdf, String driver) throws IOException {
        driver(driver);
        Path link = deviceDir(bdf).resolve("driver");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of("../../../bus/pci/drivers/" + driver));
        return this;
    }

    public void unbindDriver(String bdf) throws IOException {
        Files.deleteIfExists(deviceDir(bdf).resolve("driver"));
    }

    public FakeSysfs group(String bdf, int group) throws IOException {
        Path g = root.resolve("sys/kernel/iommu_groups/" + group);
        Files.createDirectories(g.resolve("devices"));
        Files.createSymbolicLink(g.resolve("devices").resolve(bdf), Path.of("../../../../devices/pci0000:00/" + bdf));
        Files.createSymbolicLink(deviceDir(bdf).resolve("iommu_group"), Path.of("../../../kernel/iommu_groups/" + group));
        return this;
    }

    /**
     * A 64 MiB disk (model QEMU HARDDISK) on AHCI port {@code port} of {@code bdf} (below {@code ata<port+1>}) with
     * device number {@code major:minor} and partitions 1..n.
     */
    public Path disk(String bdf, int port, String name, int major, int minor, int partitions) throws IOException {
        Path disk = deviceDir(bdf).resolve("ata" + (port + 1) + "/host" + port + "/target" + port + ":0:0/" + port
                + ":0:0:0/block/" + name);
        Files.createDirectories(disk.resolve("holders"));
        Files.writeString(disk.resolve("dev"), major + ":" + minor + "\n");
        Files.writeString(disk.resolve("size"), "131072\n");
        Files.writeString(disk.getParent().getParent().resolve("model"), "QEMU HARDDISK   \n");
        // the libata port's own number within its host, 1-based, as the kernel's ata_port class shows it
        Path ataPort = deviceDir(bdf).resolve("ata" + (port + 1) + "/ata_port/ata" + (port + 1));
        Files.createDirectories(ataPort);
        Files.writeString(ataPort.resolve("port_no"), (port + 1) + "\n");
        for (int i = 1; i <= partitions; i++) {
            Path p = disk.resolve(name + i);
            Files.createDirectories(p.resolve("holders"));
            Files.writeString(p.resolve("partition"), i + "\n");
            Files.writeString(p.resolve("dev"), major + ":" + (minor + i) + "\n");
            Files.writeString(root.resolve("dev").resolve(name + i), "");
        }
        Files.writeString(root.resolve("dev").resolve(name), "");
        return disk;
    }

    public void holder(Path node, String holder) throws IOException {
        Files.createDirectories(node.resolve("holders").resolve(holder));
    }

    public void mount(String source, String target, String type) throws IOException {
        append(sysRoot.mounts(), source + " " + target + " " + type + " rw,relatime 0 0\n");
    }

    public void mountInfo(String devNumber, String source, String target, String type) throws IOException {
        append(sysRoot.mountInfo(), "36 25 " + devNumber + " / " + target + " rw,relatime shared:1 - " + type + " "
                + source + " rw\n");
    }

    public void swap(String file) throws IOException {
        append(sysRoot.swaps(), file + "                               partition\t1048572\t\t0\t\t-2\n");
    }

    public void link(String path, String target) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.createSymbolicLink(p, Path.of(target));
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * Plays the kernel's part for binding: unbind drops the driver link, drivers_probe binds the
     * driver_override (or ahci for an AHCI function), modprobe creates the driver directory.
     */
    public final class Kernel implements SysfsKernel {
        public final List<String> log = new ArrayList<>();
        public boolean probeBinds = true;

        @Override
        public void write(Path file, String value) throws IOException {
            log.add(root.relativize(file) + "=" + value.replace("\n", "\\n"));
            Files.writeString(file, value);
            if (file.getFileName().toString().equals("unbind")) {
                unbindDriver(value.strip());
            } else if (file.equals(sysRoot.driversProbe()) && probeBinds) {
                String bdf = value.strip();
                String override = Files.readString(deviceDir(bdf).resolve("driver_override")).strip();
                if (Files.isSymbolicLink(deviceDir(bdf).resolve("driver"))) {
                    return;
                }
                if (!override.isEmpty() && !override.equals("(null)")) {
                    if (Files.isDirectory(sysRoot.pciDrivers().resolve(override))) {
                        bindTo(bdf, override);
                    }
                } else if (Files.isDirectory(sysRoot.pciDrivers().resolve("ahci"))) {
                    bindTo(bdf, "ahci");
                }
            }
        }

        @Override
        public void loadModule(String module) throws IOException {
            log.add("modprobe " + module);
            driver(module);
        }
    }
}
