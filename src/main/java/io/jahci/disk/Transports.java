package io.jahci.disk;

import io.jahci.chip.ProfileTransport;
import io.jahci.hw.Transport;
import io.jahci.hw.qemu.QemuConfig;
import io.jahci.hw.qemu.QemuTransport;
import io.jahci.hw.uio.UioTransport;
import io.jahci.hw.vfio.VfioTransport;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** From a device spec to an open transport: what {@link Controller#open} and the benchmarks use. */
public final class Transports {
    private Transports() {}

    /** Opens the transport {@code spec} names: QEMU (with a temporary disk for plain {@code qemu}), VFIO or UIO. */
    public static Transport open(DeviceSpec spec) throws IOException {
        switch (spec.kind()) {
            case VFIO: return VfioTransport.open(spec.address(), spec.irq());
            case UIO: return UioTransport.open(spec.address());
            default: break;
        }
        if (spec.images().isEmpty()) {
            Path image = Files.createTempFile("jahci-", ".img");
            try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
                file.setLength(DeviceSpec.DEFAULT_QEMU_DISK_BYTES);
            }
            try {
                return presented(spec, QemuTransport.openWithTemporaryImages(
                        config(spec, List.of(image.toString())), List.of(image)));
            } finally {
                Files.deleteIfExists(image);
            }
        }
        for (String image : spec.images()) {
            checkImage(image);
        }
        return presented(spec, QemuTransport.open(config(spec, spec.images())));
    }

    /** QEMU's machine for {@code images}: on the profile's connected ports when the spec names a chip. */
    private static QemuConfig config(DeviceSpec spec, List<String> images) {
        QemuConfig config = QemuConfig.fromEnvironment(images);
        return spec.profile() == null ? config : config.withPorts(spec.profile().diskPorts());
    }

    /** {@code qemu} as the chip the spec names, if it names one. */
    private static Transport presented(DeviceSpec spec, QemuTransport qemu) {
        return spec.profile() == null ? qemu : ProfileTransport.wrap(qemu, spec.profile());
    }

    /**
     * A plain file name must name a readable, writable file, and {@code cd:FILE} a readable one;
     * QEMU protocol strings go to QEMU as they are.
     */
    private static void checkImage(String image) throws IOException {
        if (image.startsWith(QemuConfig.CD_PREFIX)) {
            Path disc = Path.of(image.substring(QemuConfig.CD_PREFIX.length()));
            if (!Files.isRegularFile(disc) || !Files.isReadable(disc)) {
                throw new FileNotFoundException("CD image '" + disc + "' does not exist or is not a readable file; "
                        + "make one with `genisoimage -o " + disc + " DIR` or `xorriso -as mkisofs -o " + disc + " DIR`");
            }
            return;
        }
        if (image.contains(":")) {
            return;
        }
        Path path = Path.of(image);
        if (!Files.isRegularFile(path)) {
            throw new FileNotFoundException("image '" + image + "' does not exist or is not a regular file; "
                    + "create one with `truncate -s 64M " + image + "`");
        }
        if (!Files.isReadable(path) || !Files.isWritable(path)) {
            throw new IOException("image '" + image + "' is not readable and writable by this user; fix its permissions");
        }
    }
}
