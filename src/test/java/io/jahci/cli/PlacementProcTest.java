package io.jahci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --pin}, {@code --rt-priority} and {@code --mlockall} seen from outside: the CLI runs as a
 * separate process and this test reads its threads' settings from /proc while it runs (the kernel's
 * view, not jahci's), and the no-privilege error as uid 65534.
 */
class PlacementProcTest {
    /** Port and bench thread names as /proc/PID/task/TID/comm shows them (15 characters). */
    private static final Map<String, String> JAVA_CPUS = Map.of("jahci-irq-0", "1", "jahci-dispatch-", "1",
            "jahci-workitem-", "0", "jahci-bench-sti", "0");
    private static final Map<String, String> C_CPUS = Map.of("irqbench-irq", "1", "irqbench-dispat", "1",
            "irqbench-workit", "0", "irqbench-stimul", "0");

    @TempDir
    Path dir;

    /** One thread's scheduling from /proc/PID/task/TID/{stat,status}. */
    private record Seen(int policy, int rtPriority, String cpus) {}

    @Test
    @DisplayName("While bench irq --pin irq=1,dispatch=1,workitem=0,stimulus=0 --rt-priority 10 --wait hybrid --mlockall "
            + "runs, /proc shows the Java port threads and the C threads SCHED_FIFO 10 on their CPUs, memory locked; "
            + "the JSON reads the same back")
    void procShowsPlacement() throws Exception {
        requireTwoCpus();
        // The timer is not pinned: it keeps the CPUs the process may use (this JVM's, inherited).
        Map<String, String> java = new HashMap<>(JAVA_CPUS);
        java.put("jahci-timer", statusValue(Path.of("/proc/self/status"), "Cpus_allowed_list:"));
        Process p = new ProcessBuilder(javaCommand(System.getProperty("java.class.path"), "bench", "irq", "--pin",
                "irq=1,dispatch=1,workitem=0,stimulus=0", "--rt-priority", "10", "--wait", "hybrid", "--mlockall",
                "--events", "10000", "--warmup", "5000", "--json"))
                .redirectError(dir.resolve("stderr").toFile()).start();
        Map<String, Seen> seen = new HashMap<>();
        long vmLockedKb = 0;
        // Poll /proc until every expected thread was observed with its settings, or the process ends.
        while (p.isAlive() && !(seen.keySet().containsAll(java.keySet()) && seen.keySet().containsAll(C_CPUS.keySet()))) {
            observe(p.pid(), java, seen);
            for (long child : children(p.pid())) {
                observe(child, C_CPUS, seen);
            }
            vmLockedKb = Math.max(vmLockedKb, statusField(Path.of("/proc/" + p.pid() + "/status"), "VmLck:"));
            Thread.sleep(20);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bench irq did not finish");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("stderr")));
        for (Map<String, String> expected : List.of(java, C_CPUS)) {
            expected.forEach((name, cpus) -> {
                Seen s = seen.get(name);
                assertTrue(s != null, "never saw " + name + " with its settings in /proc; saw " + seen);
                assertEquals(new Seen(1, 10, cpus), s, name + " (policy 1 = SCHED_FIFO)");
            });
        }
        assertTrue(vmLockedKb > 0, "VmLck in /proc/PID/status with --mlockall");
        // The report reads back the same from the kernel, by tid.
        for (String side : List.of("\"java\"", "\"c\"")) {
            assertTrue(out.contains(side), out);
        }
        assertTrue(out.contains("\"name\":\"jahci-irq-0\",\"role\":\"irq\""), out);
        assertTrue(out.matches("(?s).*\"role\":\"irq\",\"tid\":\\d+,\"policy\":\"SCHED_FIFO\",\"priority\":10,\"cpus\":\"1\".*"
                + "\"role\":\"irq\",\"tid\":\\d+,\"policy\":\"SCHED_FIFO\",\"priority\":10,\"cpus\":\"1\".*"), out);
        assertTrue(out.matches("(?s).*\"role\":\"dispatch\",\"tid\":\\d+,\"policy\":\"SCHED_FIFO\",\"priority\":10,\"cpus\":\"1\".*"), out);
    }

    @Test
    @DisplayName("--rt-priority without the privilege (uid 65534, RLIMIT_RTPRIO 0): exit 1 naming CAP_SYS_NICE and ulimit -r, "
            + "before anything starts")
    void withoutPrivilegeTheErrorSaysHowToGetIt() throws Exception {
        requireSetpriv();
        // uid 65534 cannot read the Maven repository under /root: copy the classpath somewhere it can.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path from = Path.of(entry);
            if (!Files.exists(from)) {
                continue;
            }
            Path to = dir.resolve("cp" + i++ + (Files.isDirectory(from) ? "" : ".jar"));
            copyReadable(from, to);
            entries.add(to.toString());
        }
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"));
        cmd.addAll(javaCommand(String.join(java.io.File.pathSeparator, entries), "bench", "irq", "--rt-priority", "10",
                "--no-c", "--events", "100"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("HOME", dir.toString());
        pb.environment().put("XDG_CACHE_HOME", dir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(Main.DEVICE_ERROR, p.exitValue(), "the kernel's refusal is a failed syscall: " + out);
        assertTrue(out.contains("CAP_SYS_NICE") && out.contains("ulimit -r 10") && out.contains("EPERM"), out);
        assertTrue(!out.contains("p50"), "nothing ran: " + out);
    }

    private static List<String> javaCommand(String classpath, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", "-Djna.tmpdir=" + System.getProperty("java.io.tmpdir"), "-cp", classpath,
                Main.class.getName())); // no /tmp/hsperfdata_<user> left behind
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Records, for each thread of {@code pid} whose comm is in {@code names}, its settings once they are the requested ones. */
    private static void observe(long pid, Map<String, String> names, Map<String, Seen> seen) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String comm = read(task.resolve("comm")).trim();
                if (!names.containsKey(comm)) {
                    continue;
                }
                String stat = read(task.resolve("stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // stat fields 40 (rt_priority) and 41 (policy), 1-based, are f[37] and f[38].
                Seen s = new Seen(Integer.parseInt(f[38]), Integer.parseInt(f[37]),
                        statusValue(task.resolve("status"), "Cpus_allowed_list:"));
                if (s.policy() == 1 || !seen.containsKey(comm)) {
                    seen.put(comm, s);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process or a thread ended between list and read: the next poll sees the rest
        }
    }

    private static List<Long> children(long pid) {
        try (Stream<ProcessHandle> kids = ProcessHandle.of(pid).map(ProcessHandle::children).orElse(Stream.empty())) {
            return kids.map(ProcessHandle::pid).toList();
        }
    }

    private static long statusField(Path status, String key) {
        try {
            String v = statusValue(status, key);
            return v.isEmpty() ? 0 : Long.parseLong(v.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static String statusValue(Path status, String key) throws IOException {
        for (String line : read(status).split("\n")) {
            if (line.startsWith(key)) {
                return line.substring(key.length()).trim();
            }
        }
        return "";
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p);
    }

    private static void copyReadable(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path src : (Iterable<Path>) walk::iterator) {
                Path dst = to.resolve(from.relativize(src).toString());
                if (Files.isDirectory(src)) {
                    Files.createDirectories(dst);
                    Files.setPosixFilePermissions(dst, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else {
                    Files.copy(src, dst);
                    Files.setPosixFilePermissions(dst, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
    }

    private static void requireTwoCpus() {
        if (Runtime.getRuntime().availableProcessors() < 2) {
            fail("this test pins threads to CPUs 0 and 1: it needs a machine with at least 2 CPUs");
        }
    }

    private static void requireSetpriv() {
        if (Stream.of("/usr/bin/setpriv", "/bin/setpriv").noneMatch(p -> Files.isExecutable(Path.of(p)))) {
            fail("setpriv is missing: install util-linux (apt-get install util-linux)");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            fail("this test drops to uid 65534 with setpriv, which needs root");
        }
    }
}
