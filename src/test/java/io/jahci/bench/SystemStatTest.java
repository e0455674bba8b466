package io.jahci.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SystemStat: its parsing of /proc/stat (proc(5)), and its counts against counts taken another way:
 * the machine switched at least as often as this process's own tasks did ({@link TaskStats}), and
 * spent at least the CPU a thread measured on its own clock.
 */
class SystemStatTest {
    private static final String STAT = """
            cpu  1774794 15902 507432 2003533 4112 11 17220 3 0 0
            cpu0 891783 7583 248239 1004919 926 0 7941 0 0 0
            intr 73891767 0 0 5 0
            ctxt 369305926
            btime 1764900000
            """;

    @Test
    void parsesTheCpuLineCtxtAndIntr() {
        SystemStat.Snapshot s = SystemStat.parse(STAT);
        assertEquals(new SystemStat.Snapshot(369305926L, 73891767L, 1774794L + 15902L, 507432L, 11L + 17220L,
                2003533L + 4112L), s);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SystemStat.parse("cpu 1 2 3 4\n"));
        assertTrue(e.getMessage().contains("/proc/stat"), e.getMessage());
    }

    @Test
    void perCommandDividesTheGrowthAndConvertsTicks() {
        SystemStat.Snapshot a = new SystemStat.Snapshot(100, 10, 0, 0, 0, 0);
        SystemStat.Snapshot b = new SystemStat.Snapshot(300, 30, 4, 2, 2, 8);
        SystemStat.PerCommand p = SystemStat.perCommand(a, b, 4);
        double tick = SystemStat.nanosPerTick();
        assertEquals(50.0, p.contextSwitches());
        assertEquals(5.0, p.interrupts());
        assertEquals(tick, p.userNanos());
        assertEquals(2 * tick, p.busyNanos());
        assertEquals(2 * tick, p.idleNanos());
        assertEquals(10_000_000L, SystemStat.nanosPerTick(), "USER_HZ is 100 on Linux");
    }

    /**
     * A thread that blocks 100 times (each hand-off only once it is seen asleep in the kernel): the
     * machine's context switches over the window are at least this process's, which are at least 100.
     */
    @Test
    void theMachineSwitchesAtLeastAsOftenAsThisProcess() throws Exception {
        int n = 100;
        BlockingQueue<Integer> queue = new ArrayBlockingQueue<>(1);
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        int[] tid = new int[1];
        AtomicInteger taken = new AtomicInteger();
        CountDownLatch exit = new CountDownLatch(1);
        Thread taker = new Thread(() -> {
            try {
                tid[0] = TaskStats.currentTid();
                started.countDown();
                for (int i = 0; i < n; i++) {
                    if (queue.poll(30, TimeUnit.SECONDS) == null) {
                        throw new AssertionError("no hand-off " + i + " within 30 s");
                    }
                    taken.incrementAndGet();
                }
                // alive until the test has read its counts: an ended task's are gone from /proc
                if (!exit.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("the test never let the taker end");
                }
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "jahci-dispatch-78");
        taker.start();
        assertTrue(started.await(30, TimeUnit.SECONDS), "the thread did not start");
        SystemStat.Snapshot before = SystemStat.snapshot();
        TaskStats.Snapshot tasksBefore = TaskStats.snapshot();
        for (int i = 0; i < n; i++) {
            awaitAsleep(tid[0], taken, i);
            queue.put(i);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (taken.get() != n) {
            assertTrue(System.nanoTime() < deadline, "the thread did not finish its hand-offs");
            Thread.onSpinWait();
        }
        TaskStats.Snapshot tasksAfter = TaskStats.snapshot();
        SystemStat.Snapshot after = SystemStat.snapshot();
        exit.countDown();
        taker.join(30_000);
        assertFalse(taker.isAlive(), "the thread did not end");
        assertNull(failed.get());
        long process = 0;
        for (TaskStats.Counts c : TaskStats.between(tasksBefore, tasksAfter, Set.of()).byRole().values()) {
            process += c.voluntary() + c.involuntary();
        }
        long machine = after.contextSwitches() - before.contextSwitches();
        assertTrue(process >= n, "this process switched " + process + " times for " + n + " blocking hand-offs");
        assertTrue(machine >= process, "/proc/stat ctxt grew " + machine + ", this process's tasks switched " + process);
    }

    /** A thread that spins 300 ms of its own CPU clock: the machine was busy at least 200 ms. */
    @Test
    void theMachineIsBusyAtLeastTheCpuAThreadSpent() throws Exception {
        SystemStat.Snapshot before = SystemStat.snapshot();
        var mx = ManagementFactory.getThreadMXBean();
        long from = mx.getCurrentThreadCpuTime();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long x = 0;
        while (mx.getCurrentThreadCpuTime() - from < 300_000_000L) {
            x += x * 31 + 7;
            assertTrue(System.nanoTime() < deadline, "300 ms of CPU took over 60 s of wall time");
        }
        SystemStat.Snapshot after = SystemStat.snapshot();
        double busy = SystemStat.perCommand(before, after, 1).busyNanos();
        assertTrue(busy >= 200_000_000L, "/proc/stat: " + busy + " ns busy while this thread spun 300 ms (" + x + ")");
    }

    /** Until task {@code tid} has taken {@code i} hand-offs and sleeps in the kernel (bounded: 30 s). */
    private static void awaitAsleep(int tid, AtomicInteger taken, int i) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (taken.get() != i || kernelState(tid) != 'S') {
            assertTrue(System.nanoTime() < deadline, "the thread never slept");
            Thread.onSpinWait();
        }
    }

    private static char kernelState(int tid) throws IOException {
        String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }
}
