package io.jahci.hw.qemu;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How to start QEMU for one controller: the binary, the disk images (one {@code ide-hd} per image,
 * or an {@code ide-cd} for {@code cd:FILE}, on ports 0, 1, ...), guest RAM size and extra arguments.
 *
 * @param qemuBinary  path of {@code qemu-system-x86_64}
 * @param images      image strings passed verbatim to {@code -drive file=} (so {@code blkdebug:RULES:IMG} works);
 *                    {@code cd:FILE} attaches FILE as a CD-ROM
 * @param guestRamMiB guest RAM, shared with this process as DMA memory
 * @param extraArgs   appended to QEMU's command line
 */
public record QemuConfig(String qemuBinary, List<String> images, int guestRamMiB, List<String> extraArgs) {
    /** Environment variable naming the QEMU binary. */
    public static final String QEMU_ENV = "JAHCI_QEMU";
    /** Environment variable with whitespace-separated extra QEMU arguments. */
    public static final String QEMU_ARGS_ENV = "JAHCI_QEMU_ARGS";
    public static final int DEFAULT_GUEST_RAM_MIB = 512;
    public static final int MAX_DISKS = 6;
    /** An image string starting with this is attached as an ATAPI CD-ROM ({@code ide-cd}) instead of a disk. */
    public static final String CD_PREFIX = "cd:";

    public QemuConfig {
        images = List.copyOf(images);
        extraArgs = List.copyOf(extraArgs);
        if (images.size() > MAX_DISKS) {
            throw new IllegalArgumentException("ich9-ahci has " + MAX_DISKS + " ports; " + images.size()
                    + " images were given");
        }
    }

    /** A configuration for {@code images} with the binary and extra arguments from the environment. */
    public static QemuConfig fromEnvironment(List<String> images) {
        return fromEnvironment(images, System.getenv());
    }

    static QemuConfig fromEnvironment(List<String> images, Map<String, String> env) {
        String extra = env.getOrDefault(QEMU_ARGS_ENV, "").trim();
        List<String> extraArgs = extra.isEmpty() ? List.of() : Arrays.asList(extra.split("\\s+"));
        return new QemuConfig(findBinary(env), images, DEFAULT_GUEST_RAM_MIB, extraArgs);
    }

    private static String findBinary(Map<String, String> env) {
        String configured = env.get(QEMU_ENV);
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String dir : env.getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "qemu-system-x86_64");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return "qemu-system-x86_64";
    }

    public QemuConfig withExtraArgs(List<String> more) {
        List<String> all = new ArrayList<>(extraArgs);
        all.addAll(more);
        return new QemuConfig(qemuBinary, images, guestRamMiB, all);
    }
}
