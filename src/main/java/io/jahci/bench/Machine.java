package io.jahci.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The machine a benchmark ran on, in one line for a plot's subtitle: CPU model and count, kernel, Java, the load
 * average when asked (a loaded machine's numbers are not evidence) and jahci's version. Reads procfs; PASSIVE.
 */
public final class Machine {
    private Machine() {}

    /** E.g. {@code AMD EPYC 7B13 x 2 CPUs, Linux 6.1.0-18-amd64, Java 17.0.10, load 0.52 0.61 0.70, jahci 0.1.0}. */
    public static String describe() {
        return String.format(Locale.ROOT, "%s x %d CPUs, %s %s, Java %s, load %s, jahci %s", cpuModel(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("java.version"), load(), io.jahci.disk.Version.current());
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim().replaceAll("\\s+", " ")).findFirst()
                    .orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    /** The 1, 5 and 15 minute load averages. */
    private static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
