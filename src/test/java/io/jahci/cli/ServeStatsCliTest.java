package io.jahci.cli;

import io.jahci.testing.ClientTools;
import io.jahci.testing.Images;
import io.jahci.testing.JsonReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * `jahci serve --stats` as a user runs it (its own JVM, stopped by SIGTERM), with qemu-io as the NBD
 * client: the document or the lines it prints each interval and at exit count the requests qemu-io
 * sent, one or two interrupts per request with one in flight, and the server's own threads (`nbd`)
 * of a client that connected, read and left before the stop: they switched at least once per request
 * (the loop waits for the next one) although they were gone when the interval ended.
 */
@Tag("qemu")
class ServeStatsCliTest {
    private static final int READS = 120;

    @TempDir
    Path dir;

    @Test
    void theDocumentAtExitCountsTheRequestsOfAClientThatLeft() throws Exception {
        Path socket = dir.resolve("j.sock");
        try (Served served = started(socket, "--stats=60m", "--json")) {
            Process serve = served.process();
            Lines out = served.out();
            readWithQemuIo(socket, READS);
            awaitGone(serve.pid(), "jahci-nbd-1-");
            serve.destroy(); // SIGTERM
            List<String> lines = rest(out, serve);
            assertEquals(1, lines.size(), "one interval (60 min): the one at exit: " + lines);
            Map<String, Object> doc = JsonDocumentsTest.check("serve", JsonReader.object(lines.get(0)), true);
            assertEquals(0, JsonReader.object(doc.get("device")).get("port"));
            assertEquals(1, doc.get("interval"));
            assertEquals(true, doc.get("final"));
            assertEquals(Map.of("read", READS, "write", 0, "flush", 0, "trim", 0, "writeZeroes", 0, "other", 0),
                    JsonReader.object(doc.get("requests")), "the requests qemu-io sent");
            Map<String, Object> perRequest = JsonReader.object(doc.get("perRequest"));
            double interrupts = JsonReader.number(perRequest.get("interrupts"));
            assertTrue(interrupts >= 1 && interrupts <= 2, "one request in flight: 1 to 2 interrupts each: " + doc);
            double nbd = JsonReader.number(JsonReader.object(perRequest.get("switchesVoluntary")).get("nbd"));
            assertTrue(nbd >= 1, "the loop of the client that left waited once per request at least: " + doc);
            assertTrue(JsonReader.number(doc.get("registerReadsPerRequest")) > 0, doc.toString());
            assertFalse(doc.get("exitedThreads").toString().contains("jahci-nbd"), doc.toString());
        }
    }

    /**
     * An interval without requests (no client connected) divides by nothing: the per-request keys are there and
     * null, never 0, and the interval's own values (the JIT's time, the threads that exited) are there as numbers.
     */
    @Test
    void anIntervalWithoutRequestsHasNullPerRequestKeysAndItsOwnValues() throws Exception {
        Path socket = dir.resolve("z.sock");
        try (Served served = started(socket, "--stats=200ms", "--json")) {
            Process serve = served.process();
            Lines out = served.out();
            Map<String, Object> first = JsonReader.object(line(out, serve));
            assertEquals(1, first.get("interval"));
            serve.destroy(); // SIGTERM
            List<String> lines = rest(out, serve);
            Map<String, Object> last = JsonReader.object(lines.get(lines.size() - 1));
            assertEquals(true, last.get("final"), lines.toString());
            for (Map<String, Object> doc : List.of(first, last)) {
                assertEquals(List.of("jahciVersion", "schema", "device", "interval", "final", "seconds", "requests",
                        "registerReadsPerRequest", "registerWritesPerRequest", "perRequest", "jitCompilationMillis",
                        "exitedThreads"), List.copyOf(doc.keySet()), "docs/json.md's keys, each present: " + doc);
                assertEquals(Map.of("read", 0, "write", 0, "flush", 0, "trim", 0, "writeZeroes", 0, "other", 0),
                        JsonReader.object(doc.get("requests")), "no client connected: " + doc);
                assertNull(doc.get("registerReadsPerRequest"), doc.toString());
                assertNull(doc.get("registerWritesPerRequest"), doc.toString());
                assertNull(doc.get("perRequest"), doc.toString());
                assertNotNull(doc.get("jitCompilationMillis"), "the interval's own JIT time: " + doc);
                assertTrue(JsonReader.number(doc.get("jitCompilationMillis")) >= 0, doc.toString());
                assertNotNull(JsonReader.list(doc.get("exitedThreads")), doc.toString());
            }
        }
    }

    @Test
    void textEachIntervalAndAtExit() throws Exception {
        Path socket = dir.resolve("t.sock");
        try (Served served = started(socket, "--stats=200ms")) {
            Process serve = served.process();
            Lines out = served.out();
            String first = line(out, serve);
            assertTrue(first.startsWith("stats 1 ("), "the first interval's line: " + first);
            assertWithoutRequests(first, line(out, serve)); // no client yet
            readWithQemuIo(socket, 10);
            awaitGone(serve.pid(), "jahci-nbd-1-");
            serve.destroy();
            List<String> lines = rest(out, serve);
            List<String> intervals = lines.stream().filter(l -> l.startsWith("stats ")).toList();
            assertTrue(intervals.get(intervals.size() - 1).startsWith("stats at exit ("), "the last interval is the "
                    + "one at exit: " + lines);
            Pattern requests = Pattern.compile("^stats .*: (\\d+) requests \\(read (\\d+), write 0, flush 0, trim 0, "
                    + "write zeroes 0, other 0\\)$");
            int counted = 0;
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = requests.matcher(lines.get(i));
                if (m.matches()) {
                    assertEquals(m.group(1), m.group(2), lines.get(i));
                    counted += Integer.parseInt(m.group(1));
                    assertTrue(lines.get(i + 2).startsWith("  thread switches per request: voluntary port "),
                            lines.get(i + 2));
                    assertTrue(lines.get(i + 2).contains(", nbd "), lines.get(i + 2));
                } else if (lines.get(i).startsWith("stats ")) {
                    assertWithoutRequests(lines.get(i), lines.get(i + 1));
                }
            }
            assertEquals(10, counted, "the reads qemu-io sent, over all intervals: " + lines);
        }
    }

    /** A text interval without requests: that line, then only the interval's own (no costs per request). */
    private static void assertWithoutRequests(String stats, String next) {
        assertTrue(stats.endsWith(": no requests"), stats);
        assertTrue(next.matches("^  JIT compiled \\d+ ms in the window$"), "no costs per request, the interval's own: "
                + next);
    }

    /** `jahci serve` of a new read-only 64 MiB image on {@code socket} in its own JVM, with {@code options}. */
    private Process serve(Path socket, String... options) throws IOException {
        Path image = Images.create(dir, socket.getFileName() + ".img", 64L << 20);
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "io.jahci.cli.Main", "--device", "qemu:" + image, "serve", "--port", "0", "--unix", socket.toString()));
        command.addAll(List.of(options));
        return new ProcessBuilder(command).redirectOutput(dir.resolve(socket.getFileName() + ".out").toFile())
                .redirectError(dir.resolve(socket.getFileName() + ".err").toFile()).start();
    }

    /** A `jahci serve` that printed its ready line, and what it prints; closing it kills it if it still runs. */
    private record Served(Process process, Lines out) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** {@link #serve}, once it printed its ready line. */
    private Served started(Path socket, String... options) throws Exception {
        Served served = new Served(serve(socket, options), new Lines(dir.resolve(socket.getFileName() + ".out")));
        try {
            assertEquals("serving port 0 (64 MiB, read-only) at nbd+unix:///port0?socket=" + socket,
                    line(served.out(), served.process()),
                    "the ready line; stderr: " + Files.readString(dir.resolve(socket.getFileName() + ".err")));
        } catch (Throwable t) {
            served.close();
            throw t;
        }
        return served;
    }

    /** qemu-io, read-only, {@code n} 4 KiB reads one after the other (one request in flight). */
    private static void readWithQemuIo(Path socket, int n) throws Exception {
        List<String> command = new ArrayList<>(List.of("qemu-io", "-r", "-f", "raw"));
        for (int i = 0; i < n; i++) {
            command.addAll(List.of("-c", "read " + (i * 4096L) + " 4k"));
        }
        command.add("nbd+unix:///port0?socket=" + socket);
        ClientTools.run(command.toArray(String[]::new)).ok();
    }

    /** What a process prints on stdout, into a file, read line by line as it comes. */
    private static final class Lines {
        private final Path file;
        private int taken;

        Lines(Path file) {
            this.file = file;
        }

        /** The whole lines printed so far. */
        List<String> all() throws IOException {
            String text = Files.readString(file);
            return text.lines().limit(text.endsWith("\n") ? Long.MAX_VALUE : Math.max(0, text.lines().count() - 1))
                    .toList();
        }
    }

    /** The next line {@code serve} prints; at most 60 s. */
    private static String line(Lines out, Process serve) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (out.all().size() <= out.taken) {
            assertTrue(serve.isAlive(), "serve exited " + (serve.isAlive() ? "" : serve.exitValue()) + ": " + out.all());
            assertTrue(System.nanoTime() < deadline, "no new line in 60 s: " + out.all());
            Thread.sleep(10);
        }
        return out.all().get(out.taken++);
    }

    /** The lines printed after those taken until {@code serve} exits after the stop, which must be exit 0 within 60 s. */
    private static List<String> rest(Lines out, Process serve) throws Exception {
        assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "jahci serve ended after SIGTERM");
        assertEquals(0, serve.exitValue(), out.all().toString());
        List<String> all = out.all();
        return all.subList(out.taken, all.size());
    }

    /** Until no task of process {@code pid} has a comm starting with {@code prefix} (the client's threads ended); at most 30 s. */
    private static void awaitGone(long pid, String prefix) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            List<String> left = new ArrayList<>();
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
                for (Path t : tasks) {
                    try {
                        String comm = Files.readString(t.resolve("comm")).strip();
                        if (comm.startsWith(prefix)) {
                            left.add(comm);
                        }
                    } catch (NoSuchFileException gone) {
                        // ended while listed
                    }
                }
            }
            if (left.isEmpty()) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "the client's threads did not end: " + left);
            Thread.sleep(10);
        }
    }
}
