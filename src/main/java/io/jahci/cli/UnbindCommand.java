package io.jahci.cli;

import io.jahci.hw.pci.Bdf;
import io.jahci.hw.pci.PciBinder;
import io.jahci.hw.pci.PciDevices;
import io.jahci.hw.pci.SysfsKernel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code jahci unbind BDF}: give a controller back to the kernel's ahci driver. */
@Command(name = "unbind", mixinStandardHelpOptions = true,
        description = "Give an AHCI controller back to the kernel's ahci driver (clears driver_override, unbinds "
                + "vfio-pci/uio_pci_generic, drivers_probe). Needs root; jahci must not be using it.")
final class UnbindCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "BDF", description = "PCI address, e.g. " + Bdf.EXAMPLE + ".")
    String address;

    @Override
    public Integer call() throws Exception {
        String bdf = Bdf.parse(address);
        PciBinder binder = new PciBinder(new PciDevices(main.sysRoot()), SysfsKernel.SYSTEM);
        spec.commandLine().getOut().println(binder.unbind(bdf));
        return 0;
    }
}
