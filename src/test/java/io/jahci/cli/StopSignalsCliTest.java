package io.jahci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jahci.testing.Images;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.file.Files;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGINT and SIGTERM during a long command, on the CLI run as its own JVM: once it printed progress, the signal
 * makes it print what it did so far and exit 130/143, and QEMU goes with it. During {@code demo}, a signal between
 * its write and its restore (the demo says when it has written: {@link DemoCommand#PAUSE_PROPERTY}) is deferred
 * until the original sectors are back.
 */
@Tag("qemu")
class StopSignalsCliTest {
    /** Longest a step may take on a loaded machine before the test gives up (a failure, not a timing assertion). */
    private static final long PATIENCE_SECONDS = 180;

    /**
     * Runs the child with SIGINT's default disposition, whatever this JVM inherited: a shell without job control
     * starts its background jobs with SIGINT ignored, every child inherits that across exec (POSIX exec), and a JVM
     * started with SIGINT ignored keeps it ignored, so the CLI would never see the signal. coreutils' env (8.31 and
     * later) resets it before it execs the JVM, which keeps env's pid.
     */
    private static final List<String> DEFAULT_SIGINT = List.of("env", "--default-signal=INT");

    @TempDir
    Path dir;

    @BeforeAll
    static void envResetsSignals() throws Exception {
        Process p = new ProcessBuilder(DEFAULT_SIGINT.get(0), DEFAULT_SIGINT.get(1), "true").redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS) && p.exitValue() == 0,
                "the CLI must start with SIGINT at its default disposition, which these tests do through `env "
                        + "--default-signal=INT` (coreutils 8.31 or later: apt-get install coreutils); it failed: " + out);
    }

    /** The CLI in a child JVM; stderr lines arrive in a queue as they are printed. */
    private static final class Child {
        final Process process;
        final BlockingQueue<String> errLines = new LinkedBlockingQueue<>();
        final List<String> err = java.util.Collections.synchronizedList(new ArrayList<>());

        Child(String... args) throws IOException {
            this(List.of(), args);
        }

        Child(List<String> jvmOptions, String... args) throws IOException {
            List<String> command = new ArrayList<>(DEFAULT_SIGINT);
            command.add(ProcessHandle.current().info().command().orElseThrow());
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        err.add(line);
                        errLines.add(line);
                    }
                } catch (IOException e) {
                    err.add("(reading stderr failed: " + e + ")");
                }
            }, "stderr of " + args[args.length - 1]);
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits for the first progress line matching {@code pattern} whose first number is above 0. */
        Matcher awaitProgress(Pattern pattern) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
            while (System.nanoTime() < deadline) {
                String line = errLines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (line == null) {
                    break;
                }
                Matcher m = pattern.matcher(line);
                if (m.find() && Long.parseLong(m.group(1)) > 0) {
                    return m;
                }
            }
            process.destroyForcibly();
            throw new AssertionError("no progress line matching " + pattern + " within " + PATIENCE_SECONDS
                    + " s; stderr: " + err);
        }

        /** Waits until {@code file} exists (the child made it); fails the test when the child exits first. */
        void awaitFile(Path file) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
            while (!Files.exists(file)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new AssertionError(file + " did not appear within " + PATIENCE_SECONDS + " s (child "
                            + (process.isAlive() ? "still running" : "exited " + process.exitValue()) + "); stderr: " + err);
                }
                Thread.sleep(20);
            }
        }

        void signal(String name) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill -" + name);
        }

        int awaitExit() throws InterruptedException {
            assertTrue(process.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS), "the CLI did not exit after the signal");
            return process.exitValue();
        }

        String stopLine() {
            synchronized (err) {
                return err.stream().filter(l -> l.startsWith("jahci: stopped by")).findFirst().orElse(null);
            }
        }
    }

    /** The QEMU the child started; gone once the child's shutdown hook stopped it. */
    private static List<ProcessHandle> qemuOf(Child child) {
        return child.process.descendants().filter(p -> p.info().command().orElse("").contains("qemu")).toList();
    }

    private static void assertGone(List<ProcessHandle> processes) throws Exception {
        for (ProcessHandle p : processes) {
            p.onExit().get(PATIENCE_SECONDS, TimeUnit.SECONDS);
            assertFalse(p.isAlive(), "QEMU pid " + p.pid() + " outlived jahci");
        }
    }

    /**
     * Starts the CLI with {@code args}, waits for its first progress line matching {@code progress}, sends
     * {@code signal}, and checks it exits with {@code exitCode} and takes its QEMU along. Returns the progress line's
     * match and the "stopped by" line.
     */
    private static Stopped stopAfterProgress(String signal, int exitCode, Pattern progress, String... args)
            throws Exception {
        Child child = new Child(args);
        Matcher seen = child.awaitProgress(progress);
        List<ProcessHandle> qemu = qemuOf(child);
        child.signal(signal);
        assertEquals(exitCode, child.awaitExit(), String.join("\n", child.err));
        String stop = child.stopLine();
        assertNotNull(stop, String.join("\n", child.err));
        assertGone(qemu);
        return new Stopped(Long.parseLong(seen.group(1)), stop);
    }

    private record Stopped(long progressShown, String line) {}

    @ParameterizedTest(name = "SIG{0} -> exit {1}")
    @CsvSource({"INT, 130", "TERM, 143"})
    void aSignalBetweenTheDemosWriteAndItsRestorePutsTheOriginalSectorsBack(String signal, int exitCode)
            throws Exception {
        Path image = Images.create(dir, "demo.img", 8 << 20);
        Images.write(image, 0, Images.random(11, 8 << 20));
        String before = Images.sha256(image);
        Path written = dir.resolve("written");
        Path saved = dir.resolve("saved.bin");
        Child child = new Child(List.of("-D" + DemoCommand.PAUSE_PROPERTY + "=" + written), "--device", "qemu:" + image,
                "demo", "--allow-write", "--lba", "4096", "--save", saved.toString());
        child.awaitFile(written);
        assertNotEquals(before, Images.sha256(image), "the demo's pattern is in the image when the signal comes");
        assertTrue(Files.exists(saved), "the originals are saved before the write");
        List<ProcessHandle> qemu = qemuOf(child);
        child.signal(signal);
        assertEquals(exitCode, child.awaitExit(), String.join("\n", child.err));
        assertEquals(before, Images.sha256(image), "byte for byte as before the demo: " + String.join("\n", child.err));
        assertFalse(Files.exists(saved), "the saved copy goes once the restore read back identical");
        assertEquals("jahci: stopped by SIG" + signal + ": the original sectors at LBA 4096..6143 are back (read back "
                + "identical)", child.stopLine());
        assertGone(qemu);
    }

    /** The rate and ETA the progress summary ends with once something was done: {@code ; 41.9 MB/s, ETA 0:07}. */
    private static final String RATE = "; [0-9.]+ (MB/s|IOPS)(, ETA [0-9:]+)?";

    @Test
    void sigtermDuringScanPrintsTheSectorsScannedSoFarAndExits143() throws Exception {
        Path image = Images.create(dir, "scan.img", 4L << 30);
        Stopped stopped = stopAfterProgress("TERM", 143, Pattern.compile("^scanned (\\d+)/8388608 sectors"),
                "--device", "qemu:" + image, "scan", "--port", "0", "--qd", "8");
        Matcher m = Pattern.compile("^jahci: stopped by SIGTERM: scanned (\\d+)/8388608 sectors \\(\\d+%\\) from LBA 0, "
                + "0 bad" + RATE + "$").matcher(stopped.line());
        assertTrue(m.matches(), stopped.line());
        assertTrue(Long.parseLong(m.group(1)) >= stopped.progressShown(), "at least what progress showed: "
                + stopped.line());
    }

    @Test
    void sigintDuringVerifyPrintsTheSectorsWrittenSoFarAndExits130() throws Exception {
        Path image = Images.create(dir, "verify.img", 512L << 20);
        Stopped stopped = stopAfterProgress("INT", 130, Pattern.compile("^wrote (\\d+)/1048576 sectors"),
                "--device", "qemu:" + image, "verify", "--port", "0", "--allow-write");
        assertTrue(stopped.line().matches("^jahci: stopped by SIGINT: (wrote \\d+/1048576 sectors \\(\\d+%\\) from LBA 0, "
                + "0 failed; nothing read back yet" + RATE + "|wrote and flushed 1048576 sectors from LBA 0; read back "
                + "\\d+/1048576 .*)$"),
                stopped.line());
    }

    @Test
    void sigintDuringBenchIoPrintsTheIosSoFarAndExits130() throws Exception {
        Path image = Images.create(dir, "bench.img", 64 << 20);
        Stopped stopped = stopAfterProgress("INT", 130, Pattern.compile("^randread bs=4096 qd=4: (\\d+) I/Os submitted"),
                "--device", "qemu:" + image, "bench", "io", "--port", "0", "--rw", "randread", "--qd", "4",
                "--seconds", "40");
        assertTrue(stopped.line().matches("^jahci: stopped by SIGINT: randread bs=4096 qd=4: [1-9]\\d* I/Os submitted in "
                + "[0-9.]+ of 40\\.0 s" + RATE + "$"), stopped.line());
    }
}
