package io.jahci.bench;

import io.jahci.bench.TaskStats.Role;
import io.jahci.bench.TaskStats.Snapshot;
import io.jahci.bench.TaskStats.Task;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * TaskStats: its parsing on sample text, and its counts against counts taken another way (the
 * thread's own /proc/thread-self/status, its own CLOCK_THREAD_CPUTIME_ID). Lower bounds only.
 */
class TaskStatsTest {
    private static final String STATUS = "Name:\tjahci-dispatch-\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t8515\n"
            + "Pid:\t8536\nThreads:\t22\nvoluntary_ctxt_switches:\t1234\nnonvoluntary_ctxt_switches:\t56\n";

    @Test
    void parsesStatusSchedstatAndThreadSelf() {
        assertArrayEquals(new long[] {1234, 56}, TaskStats.parseSwitches(STATUS, "status"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskStats.parseSwitches("Name:\tx\n", "/proc/self/task/7/status"));
        assertTrue(e.getMessage().contains("/proc/self/task/7/status"), e.getMessage());
        assertEquals(652354675L, TaskStats.parseSchedstat("652354675 136286359 629\n", "schedstat"));
        assertThrows(IllegalArgumentException.class, () -> TaskStats.parseSchedstat("x 1 2\n", "schedstat"));
        assertEquals(8517, TaskStats.parseThreadSelf("8515/task/8517"));
        assertThrows(IllegalArgumentException.class, () -> TaskStats.parseThreadSelf("8515"));
    }

    @Test
    void rolesByNameAsCommCutsThemAndSubmittersByTid() {
        Map<String, Role> names = Map.ofEntries(Map.entry("jahci-irq-0", Role.PORT), Map.entry("jahci-dispatch-", Role.PORT),
                Map.entry("jahci-dispatch-12", Role.PORT), Map.entry("jahci-workitem-", Role.PORT),
                Map.entry("jahci-timer", Role.PORT), Map.entry("jahci-poll", Role.PORT),
                Map.entry("jahci-8515-1-q", Role.TRANSPORT), Map.entry("jahci-vfio-requ", Role.TRANSPORT),
                Map.entry("jahci-nbd-accep", Role.NBD), Map.entry("jahci-nbd-12-rea", Role.NBD),
                Map.entry("jahci-nbd-3-sender", Role.NBD),
                Map.entry("C1 CompilerThre", Role.JIT), Map.entry("C2 CompilerThre", Role.JIT),
                Map.entry("GC Thread#1", Role.GC), Map.entry("G1 Conc#0", Role.GC), Map.entry("G1 Refine#0", Role.GC),
                Map.entry("VM Thread", Role.GC), Map.entry("VM Periodic Tas", Role.OTHER), Map.entry("java", Role.OTHER),
                Map.entry("main", Role.OTHER));
        names.forEach((name, role) -> assertEquals(role, TaskStats.role(name), name));
        assertEquals(Role.SUBMITTER, TaskStats.role(new Task(7, "jahci-irq-0", 0, 0, 0), Set.of(7)));
    }

    @Test
    void growthPerRoleCountsNewTasksWholeAndNamesExitedOnes() {
        Snapshot before = new Snapshot(Map.of(1, new Task(1, "java", 10, 1, 100), 2, new Task(2, "jahci-irq-0", 5, 0, 50),
                3, new Task(3, "C2 CompilerThre", 0, 0, 7)));
        Snapshot after = new Snapshot(Map.of(1, new Task(1, "java", 14, 2, 180), 2, new Task(2, "jahci-irq-0", 9, 3, 90),
                4, new Task(4, "jahci-poll", 2, 1, 30)));
        TaskStats.Delta d = TaskStats.between(before, after, Set.of(1));
        assertEquals(new TaskStats.Counts(4, 1, 80), d.of(Role.SUBMITTER));
        assertEquals(new TaskStats.Counts(4 + 2, 3 + 1, 40 + 30), d.of(Role.PORT));
        assertEquals(TaskStats.Counts.ZERO, d.of(Role.JIT));
        assertEquals(List.of("C2 CompilerThre (3)"), d.exited());
        assertEquals(Set.of(Role.values()), d.byRole().keySet());
    }

    /**
     * A thread that blocks N times on latches the test thread counts down (each only once the thread
     * is seen waiting, so it really blocked) shows at least N voluntary switches in TaskStats, and no
     * more than its own /proc/thread-self/status counted around the same window.
     */
    @Test
    void voluntarySwitchesOfAThreadBlockingNTimesMatchItsOwnStatus() throws Exception {
        int n = 50;
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch[] waits = new CountDownLatch[n];
        for (int i = 0; i < n; i++) {
            waits[i] = new CountDownLatch(1);
        }
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch exit = new CountDownLatch(1);
        long[] own = new long[2];
        int[] tid = new int[1];
        AtomicInteger reached = new AtomicInteger(-1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                tid[0] = TaskStats.currentTid();
                own[0] = ownVoluntarySwitches();
                started.countDown();
                await(go);
                for (int i = 0; i < n; i++) {
                    reached.set(i);
                    await(waits[i]);
                }
                done.countDown();
                await(exit);
                own[1] = ownVoluntarySwitches();
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "jahci-dispatch-77");
        t.start();
        assertTrue(started.await(30, TimeUnit.SECONDS), "the thread did not start");
        Snapshot before = TaskStats.snapshot();
        go.countDown();
        for (int i = 0; i < n; i++) {
            awaitWaiting(t, tid[0], reached, i);
            waits[i].countDown();
        }
        assertTrue(done.await(30, TimeUnit.SECONDS), "the thread did not finish its waits");
        Snapshot after = TaskStats.snapshot();
        exit.countDown();
        t.join(30_000);
        assertFalse(t.isAlive(), "the thread did not finish");
        assertNull(failed.get());
        long counted = after.tasks().get(tid[0]).voluntary() - before.tasks().get(tid[0]).voluntary();
        assertTrue(counted >= n, "TaskStats counted " + counted + " voluntary switches for " + n + " blocking waits");
        assertTrue(counted <= own[1] - own[0], "TaskStats " + counted + " > the thread's own " + (own[1] - own[0]));
        TaskStats.Delta d = TaskStats.between(before, after, Set.of());
        assertTrue(d.of(Role.PORT).voluntary() >= n, d.toString());
    }

    /** A thread that spins until its own CPU clock advanced 100 ms shows at least 80 ms in schedstat. */
    @Test
    void cpuTimeOfAThreadSpinning100MsIsAtLeast80Ms() throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch spun = new CountDownLatch(1);
        CountDownLatch exit = new CountDownLatch(1);
        int[] tid = new int[1];
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                tid[0] = TaskStats.currentTid();
                ready.countDown();
                await(go);
                var mx = ManagementFactory.getThreadMXBean();
                long from = mx.getCurrentThreadCpuTime();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                long x = 0;
                while (mx.getCurrentThreadCpuTime() - from < 100_000_000L) {
                    x += x * 31 + 7;
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("100 ms of CPU took over 60 s of wall time");
                    }
                }
                if (x == 42) {
                    System.out.print("");
                }
                spun.countDown();
                await(exit);
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "jahci-workitem-77");
        t.start();
        assertTrue(ready.await(30, TimeUnit.SECONDS));
        Snapshot before = TaskStats.snapshot();
        go.countDown();
        assertTrue(spun.await(90, TimeUnit.SECONDS), "the thread did not finish spinning");
        Snapshot after = TaskStats.snapshot();
        exit.countDown();
        t.join(30_000);
        assertNull(failed.get());
        long cpu = after.tasks().get(tid[0]).cpuNanos() - before.tasks().get(tid[0]).cpuNanos();
        assertTrue(cpu >= 80_000_000L, "schedstat: " + cpu + " ns for 100 ms of spinning");
        assertTrue(TaskStats.between(before, after, Set.of()).of(Role.PORT).cpuNanos() >= 80_000_000L);
    }

    @Test
    void theCallingThreadsTidIsItsThreadSelf() throws Exception {
        int tid = TaskStats.currentTid();
        assertTrue(Files.isDirectory(Path.of("/proc/self/task/" + tid)));
        assertTrue(TaskStats.snapshot().tasks().containsKey(tid));
    }

    /** The calling thread's voluntary switches, read here without TaskStats' parser. */
    private static long ownVoluntarySwitches() throws Exception {
        Matcher m = Pattern.compile("(?m)^voluntary_ctxt_switches:\\s+(\\d+)$")
                .matcher(Files.readString(Path.of("/proc/thread-self/status")));
        assertTrue(m.find(), "no voluntary_ctxt_switches in /proc/thread-self/status");
        return Long.parseLong(m.group(1));
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        if (!latch.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("waited 30 s for the test thread");
        }
    }

    /** Until {@code t} has reached wait {@code i} and parked in it (bounded: 30 s). */
    /**
     * Until the thread is in wait {@code i} and asleep in the kernel: Java's TIMED_WAITING is set before
     * the thread parks, so only the task's own state in /proc ('S') shows that it really blocked.
     */
    private static void awaitWaiting(Thread t, int tid, AtomicInteger reached, int i) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (reached.get() != i || t.getState() != Thread.State.TIMED_WAITING || kernelState(tid) != 'S') {
            assertTrue(System.nanoTime() < deadline, "the thread never slept in wait " + i + ": " + t.getState());
            Thread.onSpinWait();
        }
    }

    /** The task's state letter from /proc/self/task/TID/stat (after the command name in parentheses). */
    private static char kernelState(int tid) throws IOException {
        String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }
}
