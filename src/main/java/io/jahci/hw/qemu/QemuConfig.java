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
 * @param replyTimeoutMillis how long one qtest command (a register or config access) may wait for
 *                    QEMU's reply before the controller counts as lost ({@link #DEFAULT_REPLY_TIMEOUT_MILLIS});
 *                    tests that stop QEMU on purpose shorten it
 * @param ports       the port each image goes on, in the order of {@code images}; empty: 0, 1, ...
 */
public record QemuConfig(String qemuBinary, List<String> images, int guestRamMiB, List<String> extraArgs,
        long replyTimeoutMillis, List<Integer> ports) {
    /** Environment variable naming the QEMU binary. */
    public static final String QEMU_ENV = "JAHCI_QEMU";
    /** Environment variable with whitespace-separated extra QEMU arguments. */
    public static final String QEMU_ARGS_ENV = "JAHCI_QEMU_ARGS";
    /** Environment variable with the register-access limit in milliseconds ({@link #DEFAULT_REPLY_TIMEOUT_MILLIS}). */
    public static final String REPLY_TIMEOUT_ENV = "JAHCI_QEMU_REPLY_TIMEOUT_MS";
    public static final int DEFAULT_GUEST_RAM_MIB = 512;
    public static final int MAX_DISKS = 6;
    /**
     * The register-access limit: a QEMU that has not answered one qtest command within 30 s is
     * stopped or wedged, and its controller is lost. Long enough for a loaded machine under TCG.
     */
    public static final long DEFAULT_REPLY_TIMEOUT_MILLIS = 30_000;
    /** An image string starting with this is attached as an ATAPI CD-ROM ({@code ide-cd}) instead of a disk. */
    public static final String CD_PREFIX = "cd:";

    public QemuConfig {
        images = List.copyOf(images);
        extraArgs = List.copyOf(extraArgs);
        ports = List.copyOf(ports);
        if (replyTimeoutMillis <= 0) {
            throw new IllegalArgumentException("the qtest reply timeout must be positive, not " + replyTimeoutMillis + " ms");
        }
        if (images.size() > MAX_DISKS) {
            throw new IllegalArgumentException("ich9-ahci has " + MAX_DISKS + " ports; " + images.size()
                    + " images were given");
        }
        if (!ports.isEmpty() && ports.size() < images.size()) {
            throw new IllegalArgumentException(images.size() + " images but only " + ports.size()
                    + " ports to put them on (" + ports + ")");
        }
    }

    /** A configuration with the default register-access limit. */
    public QemuConfig(String qemuBinary, List<String> images, int guestRamMiB, List<String> extraArgs) {
        this(qemuBinary, images, guestRamMiB, extraArgs, DEFAULT_REPLY_TIMEOUT_MILLIS, List.of());
    }

    /** A configuration for {@code images} with the binary and extra arguments from the environment. */
    public static QemuConfig fromEnvironment(List<String> images) {
        return fromEnvironment(images, System.getenv());
    }

    static QemuConfig fromEnvironment(List<String> images, Map<String, String> env) {
        String extra = env.getOrDefault(QEMU_ARGS_ENV, "").trim();
        List<String> extraArgs = extra.isEmpty() ? List.of() : Arrays.asList(extra.split("\\s+"));
        return new QemuConfig(findBinary(env), images, DEFAULT_GUEST_RAM_MIB, extraArgs, replyTimeout(env), List.of());
    }

    private static long replyTimeout(Map<String, String> env) {
        String value = env.getOrDefault(REPLY_TIMEOUT_ENV, "").trim();
        if (value.isEmpty()) {
            return DEFAULT_REPLY_TIMEOUT_MILLIS;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(REPLY_TIMEOUT_ENV + " must be a whole number of milliseconds, not '"
                    + value + "'");
        }
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
        return new QemuConfig(qemuBinary, images, guestRamMiB, all, replyTimeoutMillis, ports);
    }

    /** The same machine with another register-access limit (tests that stop QEMU use a short one). */
    public QemuConfig withReplyTimeoutMillis(long millis) {
        return new QemuConfig(qemuBinary, images, guestRamMiB, extraArgs, millis, ports);
    }

    /** The same machine with image i on port {@code ports.get(i)} (a controller profile's wired ports). */
    public QemuConfig withPorts(List<Integer> ports) {
        return new QemuConfig(qemuBinary, images, guestRamMiB, extraArgs, replyTimeoutMillis, ports);
    }

    /** The port image {@code index} goes on. */
    public int portOf(int index) {
        return ports.isEmpty() ? index : ports.get(index);
    }
}
