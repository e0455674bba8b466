package io.jahci.bench;

import io.jahci.hw.RegisterCounts;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * IoCosts over a window in which known work happens: a port-named thread and the submitter each
 * allocate a known 1 MiB array, the interrupt count grows by a known number. Lower bounds for what
 * the JVM may add (the allocations are exact plus its own).
 */
class IoCostsTest {
    private static final int MIB = 1 << 20;
    static volatile Object sink;

    @Test
    void bytesAllocatedInTheWindowByAPortThreadAndTheSubmitterAreCountedPerCommand() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch allocated = new CountDownLatch(1);
        CountDownLatch exit = new CountDownLatch(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread port = new Thread(() -> {
            try {
                assertTrue(go.await(30, TimeUnit.SECONDS));
                sink = new byte[MIB];
                allocated.countDown();
                assertTrue(exit.await(30, TimeUnit.SECONDS));
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "jahci-workitem-78");
        port.start();
        AtomicLong interrupts = new AtomicLong(1000);
        IoCosts costs = new IoCosts(new RegisterCounts(), interrupts::get);
        costs.start();
        sink = new byte[MIB];
        go.countDown();
        assertTrue(allocated.await(30, TimeUnit.SECONDS), "the port thread did not allocate");
        interrupts.addAndGet(6);
        IoCosts.PerCommand perCommand = costs.end(2);
        exit.countDown();
        port.join(30_000);
        assertNull(failed.get());
        assertTrue(perCommand.allocatedBytes().get("port") >= MIB / 2.0, perCommand.toString());
        assertTrue(perCommand.allocatedBytes().get("submitter") >= MIB / 2.0, perCommand.toString());
        assertEquals(3.0, perCommand.interrupts());
        assertEquals(new RegisterCounts.PerCommand(0, 0), perCommand.registers());
        assertEquals(List.of("switchesVoluntary", "switchesInvoluntary", "cpuNanos", "interrupts", "allocatedBytes", "system"),
                List.copyOf(perCommand.toJson().keySet()));
        assertEquals(List.of("port", "transport", "submitter"), List.copyOf(perCommand.switchesVoluntary().keySet()));
        assertEquals(List.of("port", "transport", "submitter", "jit", "gc", "other"),
                List.copyOf(perCommand.cpuNanos().keySet()));
        assertEquals(List.of("port", "transport", "submitter"), List.copyOf(perCommand.allocatedBytes().keySet()));
    }

    /**
     * A server thread ({@code jahci-nbd-}) that starts inside a window, blocks 20 times, allocates
     * 1 MiB and ends before the window's end still counts in it, from what it left as it ended; the
     * next window neither counts it again nor names it among the threads that exited uncounted.
     */
    @Test
    void aServerThreadThatEndsInsideTheWindowStillCountsThere() throws Exception {
        int sleeps = 20;
        IoCosts costs = IoCosts.forServer(new RegisterCounts(), () -> 0);
        costs.start();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                sink = new byte[MIB];
                for (int i = 0; i < sleeps; i++) {
                    Thread.sleep(1); // nanosleep: each one blocks
                }
            } catch (Throwable e) {
                failed.set(e);
            } finally {
                costs.threadEnding();
            }
        }, "jahci-nbd-9-reader");
        t.start();
        t.join(30_000);
        assertFalse(t.isAlive(), "the thread did not end");
        assertNull(failed.get());
        IoCosts.PerCommand window = costs.next(1);
        assertTrue(window.switchesVoluntary().get("nbd") >= sleeps, window.toString());
        assertTrue(window.cpuNanos().get("nbd") > 0, window.toString());
        assertTrue(window.allocatedBytes().get("nbd") >= MIB, window.toString());
        assertFalse(window.exitedThreads().toString().contains("jahci-nbd"), window.toString());
        assertEquals(List.of("port", "transport", "nbd"), List.copyOf(window.switchesVoluntary().keySet()));
        assertEquals(List.of("port", "transport", "nbd", "jit", "gc", "other"), List.copyOf(window.cpuNanos().keySet()));
        assertEquals(List.of("port", "transport", "nbd"), List.copyOf(window.allocatedBytes().keySet()));
        IoCosts.PerCommand later = costs.next(1);
        assertEquals(0.0, later.switchesVoluntary().get("nbd"), later.toString());
        assertEquals(0.0, later.allocatedBytes().get("nbd"), later.toString());
        assertFalse(later.exitedThreads().toString().contains("jahci-nbd"), later.toString());
    }
}
