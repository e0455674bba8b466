package io.jahci.bench;

import io.jahci.ataport.ThreadPlacement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The C floor of {@code bench irq}: {@code native/bench/irqbench.c}, which the build copies into
 * the jar, compiled with the system's gcc ({@code gcc -O2 -pthread}) into a temporary directory at
 * run time, run with the same schedule as the Java pipeline, and read back as a {@link RawRun}.
 * Building at run time keeps the build free of a C toolchain and compiles for the machine that
 * measures. The temporary directory is deleted by {@link #close()}.
 */
public final class CBaseline implements AutoCloseable {
    /** The roles the C pipeline has threads for (its worker thread is the dispatch role). */
    private static final List<ThreadPlacement.Role> C_ROLES = List.of(ThreadPlacement.Role.STIMULUS,
            ThreadPlacement.Role.IRQ, ThreadPlacement.Role.DISPATCH, ThreadPlacement.Role.WORKITEM);
    static final String RESOURCE = "/io/jahci/bench/native/irqbench.c";
    private static final long COMPILE_TIMEOUT_SECONDS = 120;

    private final Path dir;
    private final Path binary;
    private final String gcc;

    private CBaseline(Path dir, Path binary, String gcc) {
        this.dir = dir;
        this.binary = binary;
        this.gcc = gcc;
    }

    /** Thrown when gcc is not installed: the message says how to install it or skip the C run. */
    public static final class GccMissingException extends Exception {
        GccMissingException(String message) {
            super(message);
        }
    }

    /** Extracts irqbench.c and compiles it with {@code gcc} (or {@code $CC}). */
    public static CBaseline build() throws IOException, InterruptedException, GccMissingException {
        String gcc = System.getenv().getOrDefault("CC", "gcc");
        Path dir = Files.createTempDirectory("jahci-irqbench-");
        try {
            Path source = dir.resolve("irqbench.c");
            try (InputStream in = CBaseline.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IOException("irqbench.c is missing from the classpath (" + RESOURCE
                            + "); build with `mvn package`");
                }
                Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
            }
            Path binary = dir.resolve("irqbench");
            List<String> cmd = List.of(gcc, "-O2", "-pthread", "-o", binary.toString(), source.toString());
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new GccMissingException("cannot run " + gcc + " to build the C baseline (" + e.getMessage()
                        + "): install it with `apt-get install gcc`, or pass --no-c to skip the C run");
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(COMPILE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(gcc + " did not finish within " + COMPILE_TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "):\n" + output);
            }
            return new CBaseline(dir, binary, gcc);
        } catch (IOException | InterruptedException | GccMissingException | RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    public String compiler() {
        return gcc + " -O2 -pthread";
    }

    /** What the C pipeline measured: its stamps and its threads as the kernel reported them. */
    public record Run(RawRun stamps, List<BenchThread> threads) {}

    /** Runs the C pipeline with {@code settings} and returns its stamps and threads. */
    public Run run(IrqSettings s) throws IOException, InterruptedException {
        Path out = dir.resolve("stamps.bin");
        Files.deleteIfExists(out);
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--out", out.toString(),
                "--rate", Double.toString(s.rate()), "--warmup", Integer.toString(s.warmupEvents()),
                "--events", Integer.toString(s.events()),
                "--warmup-ns", Long.toString(s.warmupNanos()), "--ns", Long.toString(s.runNanos())));
        cmd.addAll(List.of("--wait", s.waitMode().toString()));
        for (ThreadPlacement.Role role : C_ROLES) {
            if (s.placement().cpu(role) >= 0) {
                cmd.addAll(List.of("--pin-" + role.key(), Integer.toString(s.placement().cpu(role))));
            }
        }
        if (s.placement().rtPriority() > 0) {
            cmd.addAll(List.of("--rt-priority", Integer.toString(s.placement().rtPriority())));
        }
        if (s.mlockall()) {
            cmd.add("--mlockall");
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IOException("the C baseline failed (exit " + rc + "): " + String.join(" ", cmd) + "\n" + output);
        }
        List<BenchThread> threads = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("thread ")) {
                threads.add(BenchThread.parseC(line));
            }
        }
        return new Run(RawRun.readC(out), threads);
    }

    @Override
    public void close() {
        deleteTree(dir);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temp directory
        }
    }
}
