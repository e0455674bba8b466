package io.jahci.disk;

import io.jahci.chip.ChipProfile;
import io.jahci.chip.ChipProfiles;
import io.jahci.hw.pci.Bdf;
import io.jahci.hw.vfio.IrqMode;

import java.util.Arrays;
import java.util.List;

/**
 * Which controller to open, as the CLI's {@code --device} says it:
 * <ul>
 *   <li>{@code qemu}: QEMU's AHCI with one fresh temporary disk of {@link #DEFAULT_QEMU_DISK_BYTES};</li>
 *   <li>{@code qemu:IMG[,IMG...]}: QEMU's AHCI with one disk per image, on ports 0, 1, ...
 *       (each image string goes to QEMU's {@code -drive file=} verbatim; {@code cd:FILE} attaches FILE
 *       as an ATAPI CD-ROM);</li>
 *   <li>{@code qemu:[IMG,...,]profile=NAME[,spinup=S][,nolink=P][,unwired=P][,neverready=P]}: the same,
 *       presented as a real chip ({@link ChipProfiles}), the images on its connected ports in order; with
 *       no image, one temporary disk.</li>
 *   <li>{@code vfio:BDF}: a controller bound to vfio-pci, e.g. {@code vfio:0000:00:05.0};</li>
 *   <li>{@code uio:BDF}: a controller bound to uio_pci_generic.</li>
 * </ul>
 *
 * @param kind    the transport
 * @param images  for {@code qemu:}, the images; empty for a temporary disk
 * @param address for {@code vfio:} and {@code uio:}, the PCI address in full form; null otherwise
 * @param irq     for {@code vfio:}, which interrupt to use ({@code --irq})
 * @param profile for {@code qemu:}, the chip QEMU's AHCI presents, or null for QEMU's own
 */
public record DeviceSpec(Kind kind, List<String> images, String address, IrqMode irq, ChipProfile profile) {
    public enum Kind { QEMU, VFIO, UIO }

    public static final long DEFAULT_QEMU_DISK_BYTES = 64L * 1024 * 1024;

    public DeviceSpec {
        images = List.copyOf(images);
    }

    public DeviceSpec(Kind kind, List<String> images) {
        this(kind, images, null, IrqMode.AUTO, null);
    }

    /** This spec with interrupt mode {@code mode}; only VFIO can choose MSI. */
    public DeviceSpec withIrq(IrqMode mode) {
        if (mode == IrqMode.MSI && kind != Kind.VFIO) {
            throw new IllegalArgumentException("--irq msi needs a vfio: device; " + kind.name().toLowerCase()
                    + " delivers INTx only");
        }
        return new DeviceSpec(kind, images, address, mode, profile);
    }

    /** Parses a spec, or throws IllegalArgumentException saying what forms are accepted. */
    public static DeviceSpec parse(String spec) {
        if (spec.equals("qemu")) {
            return new DeviceSpec(Kind.QEMU, List.of());
        }
        if (spec.startsWith("qemu:")) {
            String list = spec.substring("qemu:".length());
            List<String> items = Arrays.asList(list.split(",", -1));
            if (list.isEmpty() || items.stream().anyMatch(String::isEmpty)) {
                throw new IllegalArgumentException("device '" + spec + "' names an empty image: use qemu:IMG[,IMG...]");
            }
            List<String> images = items.stream().filter(i -> !ChipProfiles.isOption(i)).toList();
            ChipProfile profile = ChipProfiles.fromOptions(items.stream().filter(ChipProfiles::isOption).toList());
            if (profile != null && images.size() > profile.diskPorts().size()) {
                throw new IllegalArgumentException("device '" + spec + "': " + images.size() + " images, but profile "
                        + profile.name() + " has " + profile.diskPorts().size() + " connected ports " + profile.diskPorts());
            }
            return new DeviceSpec(Kind.QEMU, images, null, IrqMode.AUTO, profile);
        }
        for (Kind kind : new Kind[] {Kind.VFIO, Kind.UIO}) {
            String prefix = kind.name().toLowerCase() + ":";
            if (spec.startsWith(prefix)) {
                return new DeviceSpec(kind, List.of(), Bdf.parse(spec.substring(prefix.length())), IrqMode.AUTO, null);
            }
        }
        throw new IllegalArgumentException("unknown device '" + spec
                + "': use 'qemu' (a temporary 64 MiB disk), 'qemu:IMG[,IMG...]' (one disk per image file), "
                + "'vfio:" + Bdf.EXAMPLE + "' or 'uio:" + Bdf.EXAMPLE + "' (a controller bound with `jahci bind`)");
    }

    @Override
    public String toString() {
        if (kind != Kind.QEMU) {
            return kind.name().toLowerCase() + ":" + address;
        }
        if (profile == null) {
            return images.isEmpty() ? "qemu" : "qemu:" + String.join(",", images);
        }
        return "qemu:" + String.join(",", images) + (images.isEmpty() ? "" : ",") + "profile=" + profile.name();
    }
}
