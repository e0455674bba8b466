package io.jahci.cli;

import io.jahci.hw.pci.BlockDisk;
import io.jahci.hw.pci.PciDeviceInfo;
import io.jahci.hw.pci.PciDevices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jahci list}: every AHCI function, its driver, IOMMU group and disks. Reads sysfs only. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List every AHCI controller (PCI class 01:06:01): address, vendor:device, bound driver, "
                + "IOMMU group, and the disks the kernel drives on it with whether each is mounted, swap or held.")
final class ListCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PciDevices devices = new PciDevices(main.sysRoot());
        List<PciDeviceInfo> functions = devices.ahciFunctions();
        if (functions.isEmpty()) {
            out.println("no AHCI controllers (PCI class 01:06:01) found");
            return 0;
        }
        for (PciDeviceInfo f : functions) {
            String group = f.iommuGroup().map(g -> "IOMMU group " + g + shared(devices, f.address(), g))
                    .orElse("no IOMMU group");
            out.printf("%s  %s  driver %s  %s%n", f.address(), f.ids(), f.driverName(), group);
            if (f.disks().isEmpty()) {
                out.println("  no disks" + (f.driver().filter("ahci"::equals).isPresent() ? ""
                        : " visible (the kernel sees disks only while the ahci driver is bound)"));
            }
            for (BlockDisk d : f.disks()) {
                String parts = d.partitions().isEmpty() ? "" : " (partitions " + String.join(", ", d.partitions()) + ")";
                out.printf("  %s%s: %s%n", d.name(), parts, d.inUse() ? "IN USE: " + String.join("; ", d.uses())
                        : "not mounted, not swap, no holders");
            }
        }
        return 0;
    }

    private static String shared(PciDevices devices, String address, String group) {
        try {
            List<String> others = devices.groupMembers(group).stream().filter(a -> !a.equals(address)).toList();
            return others.isEmpty() ? "" : " (shared with " + String.join(", ", others) + ")";
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
