package io.jahci.cli;

import io.jahci.ahci.KnownChips;
import io.jahci.platform.Json;
import io.jahci.hw.pci.BlockDisk;
import io.jahci.hw.pci.PciDeviceInfo;
import io.jahci.hw.pci.PciDevices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code jahci list}: every AHCI function, its driver, IOMMU group, known quirks, and the disks the
 * kernel drives on it by AHCI port. Reads sysfs only.
 */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List every AHCI controller (PCI class 01:06:01): address, vendor:device, bound driver, "
                + "IOMMU group, quirks jahci knows, and, while the kernel's ahci driver has it, each disk by AHCI "
                + "port (the N of --port N): its sdX name, model, size, and whether it is mounted, swap or held.")
final class ListCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print {\"jahciVersion\",\"schema\",\"controllers\":[{\"address\",\"vendorId\","
            + "\"deviceId\",\"driver\",\"iommuGroup\",\"groupShares\",\"chip\",\"disks\":[{\"port\",\"name\",\"model\","
            + "\"sizeBytes\",\"partitions\",\"inUse\",\"uses\"}]}]} (docs/json.md).")
    boolean json;

    /** The version of the --json document's layout (docs/json.md). */
    static final int SCHEMA = 1;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PciDevices devices = new PciDevices(main.sysRoot());
        List<Map<String, Object>> controllers = new ArrayList<>();
        for (PciDeviceInfo f : devices.ahciFunctions()) {
            controllers.add(controller(devices, f));
        }
        if (json) {
            Map<String, Object> doc = JsonDocument.start(SCHEMA);
            doc.put("controllers", controllers);
            out.println(Json.write(doc));
            return 0;
        }
        if (controllers.isEmpty()) {
            out.println("no AHCI controllers (PCI class 01:06:01) found");
        }
        for (Map<String, Object> c : controllers) {
            printText(out, c);
        }
        return 0;
    }

    private static Map<String, Object> controller(PciDevices devices, PciDeviceInfo f) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("address", f.address());
        c.put("vendorId", String.format("%04x", f.vendor()));
        c.put("deviceId", String.format("%04x", f.device()));
        c.put("driver", f.driverName());
        c.put("iommuGroup", f.iommuGroup().orElse(""));
        c.put("groupShares", f.iommuGroup().map(g -> others(devices, f.address(), g)).orElse(List.of()));
        KnownChips.Chip chip = KnownChips.lookup(f.vendor(), f.device());
        c.put("chip", chip == null ? null : chip.toJson());
        List<Map<String, Object>> disks = new ArrayList<>();
        for (BlockDisk d : f.disks()) {
            Map<String, Object> disk = new LinkedHashMap<>();
            disk.put("port", d.port());
            disk.put("name", d.name());
            disk.put("model", d.model());
            disk.put("sizeBytes", d.sizeBytes());
            disk.put("partitions", d.partitions());
            disk.put("inUse", d.inUse());
            disk.put("uses", d.uses());
            disks.add(disk);
        }
        c.put("disks", disks);
        return c;
    }

    @SuppressWarnings("unchecked")
    private static void printText(PrintWriter out, Map<String, Object> c) {
        List<String> shares = (List<String>) c.get("groupShares");
        String group = ((String) c.get("iommuGroup")).isEmpty() ? "no IOMMU group" : "IOMMU group " + c.get("iommuGroup")
                + (shares.isEmpty() ? "" : " (shared with " + String.join(", ", shares) + ")");
        out.printf("%s  %s:%s  driver %s  %s%n", c.get("address"), c.get("vendorId"), c.get("deviceId"), c.get("driver"),
                group);
        KnownChips.Chip chip = KnownChips.lookup(Integer.parseInt((String) c.get("vendorId"), 16),
                Integer.parseInt((String) c.get("deviceId"), 16));
        if (chip != null) {
            out.println("  " + chip.describe());
        }
        List<Map<String, Object>> disks = (List<Map<String, Object>>) c.get("disks");
        if (disks.isEmpty()) {
            out.println("  no disks" + ("ahci".equals(c.get("driver")) ? ""
                    : " visible (the kernel sees disks only while the ahci driver is bound)"));
        }
        for (Map<String, Object> d : disks) {
            List<String> parts = (List<String>) d.get("partitions");
            int port = (int) d.get("port");
            out.printf("  %s  %s  %s  %s%s: %s%n", port < 0 ? "port ?" : "port " + port, d.get("model"),
                    Sizes.human((long) d.get("sizeBytes")), d.get("name"),
                    parts.isEmpty() ? "" : " (partitions " + String.join(", ", parts) + ")", (boolean) d.get("inUse")
                            ? "IN USE: " + String.join("; ", (List<String>) d.get("uses")) : "not mounted, not swap, no holders");
        }
    }

    private static List<String> others(PciDevices devices, String address, String group) {
        try {
            return devices.groupMembers(group).stream().filter(a -> !a.equals(address)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
