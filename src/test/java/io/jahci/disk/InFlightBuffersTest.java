package io.jahci.disk;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

/** InFlightBuffers: the taker waits until a completion gives a buffer back, and waiting allocates nothing. */
class InFlightBuffersTest {
    private static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(30);

    @Test
    void acquireHandsOutEachBufferOnceAndAwaitAllSeesThemBack() throws Exception {
        InFlightBuffers buffers = new InFlightBuffers(3, 512);
        int a = buffers.acquire();
        int b = buffers.acquire();
        int c = buffers.acquire();
        assertEquals(3, java.util.Set.of(a, b, c).size());
        assertFalse(buffers.hasFree());
        assertEquals(512, buffers.buffer(b, 512).remaining());
        buffers.release(b);
        assertTrue(buffers.hasFree());
        assertEquals(b, buffers.acquire());
        buffers.release(a);
        buffers.release(b);
        buffers.release(c);
        assertTrue(buffers.allFree());
        buffers.awaitAll();
    }

    /**
     * The taker, with every buffer in flight, parks in acquire (seen parked on the buffers) until a
     * completion on another thread gives one back; 2,000 such waits allocate less than 16 bytes
     * each on the taker's thread, the size of any object made per wait.
     */
    @Test
    void aWaitingTakerParksUntilAReleaseAndAllocatesNothing() throws Exception {
        int waits = 2000;
        InFlightBuffers buffers = new InFlightBuffers(1, 512);
        AtomicInteger slot = new AtomicInteger(buffers.acquire());
        AtomicReference<Throwable> failed = new AtomicReference<>();
        AtomicInteger done = new AtomicInteger();
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] bytes = new long[2];
        Thread taker = new Thread(() -> {
            try {
                for (int round = 0; round < 2; round++) { // the first round warms the path up
                    long before = mx.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < waits; i++) {
                        slot.set(buffers.acquire());
                        done.incrementAndGet();
                    }
                    bytes[round] = mx.getCurrentThreadAllocatedBytes() - before;
                }
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "taker");
        taker.start();
        for (int i = 0; i < 2 * waits; i++) {
            awaitParkedOn(taker, buffers, done, i);
            buffers.release(slot.get());
        }
        taker.join(BOUND_NANOS / 1_000_000);
        assertFalse(taker.isAlive(), "the taker did not finish");
        assertNull(failed.get());
        assertTrue(bytes[1] < 16L * waits, bytes[1] + " bytes allocated over " + waits + " waits");
    }

    @Test
    void aSecondTakerIsRefused() throws Exception {
        InFlightBuffers buffers = new InFlightBuffers(1, 512);
        int held = buffers.acquire();
        AtomicInteger done = new AtomicInteger();
        Thread first = new Thread(() -> {
            try {
                buffers.acquire();
                done.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "first");
        first.start();
        awaitParkedOn(first, buffers, done, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, buffers::acquire);
        assertTrue(e.getMessage().contains("one thread acquires"), e.getMessage());
        buffers.release(held);
        first.join(BOUND_NANOS / 1_000_000);
        assertEquals(1, done.get());
    }

    /** Until {@code t} has made {@code i} acquisitions and is parked on {@code buffers} (bounded). */
    private static void awaitParkedOn(Thread t, Object buffers, AtomicInteger done, int i) {
        long deadline = System.nanoTime() + BOUND_NANOS;
        while (done.get() != i || LockSupport.getBlocker(t) != buffers) {
            assertTrue(System.nanoTime() < deadline, "the taker never parked for wait " + i + ": " + t.getState());
            Thread.onSpinWait();
        }
    }
}
