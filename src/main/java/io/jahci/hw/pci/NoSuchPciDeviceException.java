package io.jahci.hw.pci;

/** The PCI address names no function on this machine. A usage error. */
public final class NoSuchPciDeviceException extends IllegalArgumentException {
    public NoSuchPciDeviceException(String address) {
        super("PCI device " + address + " does not exist (no /sys/bus/pci/devices/" + address
                + "); `jahci list` shows the AHCI controllers and their addresses");
    }
}
