package io.jahci.cli;

import io.jahci.hw.pci.Bdf;
import io.jahci.hw.pci.PciBinder;
import io.jahci.hw.pci.PciDevices;
import io.jahci.hw.pci.SysfsKernel;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code jahci bind --vfio|--uio BDF}: take a controller from the kernel for jahci. */
@Command(name = "bind", mixinStandardHelpOptions = true,
        description = "Give an AHCI controller to vfio-pci or uio_pci_generic (driver_override, unbind, drivers_probe;"
                + " loads the module if needed). Refuses while a disk on it is mounted, active swap, or held by md/dm/LVM."
                + " Needs root.")
final class BindCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    static final class Target {
        @Option(names = "--vfio", required = true, description = "Bind to vfio-pci (needs the IOMMU), for --device vfio:BDF.")
        boolean vfio;

        @Option(names = "--uio", required = true, description = "Bind to uio_pci_generic (no IOMMU; root only), for --device uio:BDF.")
        boolean uio;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Parameters(paramLabel = "BDF", description = "PCI address, e.g. " + Bdf.EXAMPLE + " (see `jahci list`).")
    String address;

    @Override
    public Integer call() throws Exception {
        String bdf = Bdf.parse(address);
        PciBinder binder = new PciBinder(new PciDevices(main.sysRoot()), SysfsKernel.SYSTEM);
        spec.commandLine().getOut().println(binder.bind(bdf, target.vfio ? PciBinder.Target.VFIO : PciBinder.Target.UIO));
        return 0;
    }
}
