package io.jahci.hw.pci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Mounted file systems ({@code /proc/self/mounts}, with {@code /proc/self/mountinfo}'s device
 * numbers) and active swap ({@code /proc/swaps}), as kernel block device names.
 *
 * <p>A mount's source is matched two ways, so that neither a {@code /dev/disk/by-uuid/...} link nor
 * a renamed node hides it: by the name its path resolves to, and by the {@code major:minor} that
 * mountinfo reports.
 */
final class MountTable {
    record Mount(String source, String device, String target, String type, String devNumber) {}

    private final List<Mount> mounts;
    private final List<String> swaps;

    private MountTable(List<Mount> mounts, List<String> swaps) {
        this.mounts = mounts;
        this.swaps = swaps;
    }

    static MountTable read(SysRoot root) throws IOException {
        List<Mount> mounts = new ArrayList<>();
        if (Files.isRegularFile(root.mounts())) {
            for (String line : Files.readAllLines(root.mounts())) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 3) {
                    String source = unescape(f[0]);
                    mounts.add(new Mount(source, deviceName(root, source), unescape(f[1]), f[2], ""));
                }
            }
        }
        if (Files.isRegularFile(root.mountInfo())) {
            // mountinfo: ID PARENT MAJOR:MINOR ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPEROPTS
            for (String line : Files.readAllLines(root.mountInfo())) {
                String[] f = line.trim().split("\\s+");
                int dash = List.of(f).indexOf("-");
                if (f.length >= 5 && dash > 0 && dash + 2 < f.length) {
                    String source = unescape(f[dash + 2]);
                    mounts.add(new Mount(source, deviceName(root, source), unescape(f[4]), f[dash + 1], f[2]));
                }
            }
        }
        List<String> swaps = new ArrayList<>();
        if (Files.isRegularFile(root.swaps())) {
            List<String> lines = Files.readAllLines(root.swaps());
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 2 && !f[0].isEmpty()) {
                    swaps.add(deviceName(root, unescape(f[0])));
                }
            }
        }
        return new MountTable(mounts, swaps);
    }

    /** The mounts whose source is block device {@code name} or has device number {@code devNumber}. */
    List<Mount> mountsOf(String name, String devNumber) {
        List<Mount> out = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        for (Mount m : mounts) {
            boolean match = m.device().equals(name) || (!devNumber.isEmpty() && m.devNumber().equals(devNumber));
            if (match && !targets.contains(m.target())) {
                targets.add(m.target());
                out.add(m);
            }
        }
        return out;
    }

    boolean isSwap(String name) {
        return swaps.contains(name);
    }

    /**
     * The kernel name of the device a mount source or swap file names: {@code /dev/sda1} → {@code sda1},
     * {@code /dev/disk/by-uuid/X} → whatever the link resolves to. Non-paths (tmpfs, proc) keep their name.
     */
    static String deviceName(SysRoot root, String source) {
        if (!source.startsWith("/")) {
            return source;
        }
        Path path = root.resolveAbsolute(source);
        try {
            path = path.toRealPath();
        } catch (IOException e) {
            // not there (e.g. a test tree or a vanished node): use the name as written
        }
        Path name = path.getFileName();
        return name == null ? source : name.toString();
    }

    /** /proc/self/mounts escapes space, tab, newline and backslash as octal (\040 ...). */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
