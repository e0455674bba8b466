package io.jahci.disk;

import java.util.Arrays;
import java.util.List;

/**
 * Which controller to open, as the CLI's {@code --device} says it:
 * <ul>
 *   <li>{@code qemu}: QEMU's AHCI with one fresh temporary disk of {@link #DEFAULT_QEMU_DISK_BYTES};</li>
 *   <li>{@code qemu:IMG[,IMG...]}: QEMU's AHCI with one disk per image, on ports 0, 1, ...
 *       (each image string goes to QEMU's {@code -drive file=} verbatim).</li>
 * </ul>
 *
 * @param kind   the transport
 * @param images for {@code qemu:}, the images; empty for a temporary disk
 */
public record DeviceSpec(Kind kind, List<String> images) {
    public enum Kind { QEMU }

    public static final long DEFAULT_QEMU_DISK_BYTES = 64L * 1024 * 1024;

    public DeviceSpec {
        images = List.copyOf(images);
    }

    /** Parses a spec, or throws IllegalArgumentException saying what forms are accepted. */
    public static DeviceSpec parse(String spec) {
        if (spec.equals("qemu")) {
            return new DeviceSpec(Kind.QEMU, List.of());
        }
        if (spec.startsWith("qemu:")) {
            String list = spec.substring("qemu:".length());
            List<String> images = Arrays.asList(list.split(","));
            if (list.isEmpty() || images.stream().anyMatch(String::isEmpty)) {
                throw new IllegalArgumentException("device '" + spec + "' names an empty image: use qemu:IMG[,IMG...]");
            }
            return new DeviceSpec(Kind.QEMU, images);
        }
        throw new IllegalArgumentException("unknown device '" + spec
                + "': use 'qemu' (a temporary 64 MiB disk) or 'qemu:IMG[,IMG...]' (one disk per image file)");
    }

    @Override
    public String toString() {
        return images.isEmpty() ? "qemu" : "qemu:" + String.join(",", images);
    }
}
