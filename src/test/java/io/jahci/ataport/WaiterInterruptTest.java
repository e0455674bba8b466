package io.jahci.ataport;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static io.jahci.ataport.Fixture.await;
import static io.jahci.ataport.Fixture.awaitTrue;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A waiting submitter takes its own interrupt (docs/port-layer.md, "A waiter takes its own
 * interrupt"): it services the source on its thread, ISR at DIRQL under the interrupt lock and the
 * completion at DISPATCH, gives the source back to the interrupt thread, and every interrupt is
 * serviced by exactly one thread, with two waiters and with a waiter plus asynchronous requests.
 */
class WaiterInterruptTest {
    private static PortDriverOptions interruptMode() {
        return new PortDriverOptions().completionMode(CompletionMode.INTERRUPT);
    }

    /** Whether {@code waiter} owns {@code connection}'s source now. */
    private static boolean owns(InterruptConnection connection, Thread waiter) {
        return connection.owner() == waiter;
    }

    @ParameterizedTest(name = "SyncWithIsr={0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("S5, S10: a waiter services its own interrupt, ISR at DIRQL under the interrupt lock and completion at DISPATCH, then the interrupt thread has the source again")
    void waiterServicesItsOwnInterrupt(boolean syncWithIsr) throws Exception {
        try (Fixture f = new Fixture(interruptMode())) {
            TestMiniport miniport = new TestMiniport(syncWithIsr);
            AtomicReference<IoRequest> inFlight = new AtomicReference<>();
            AtomicReference<Thread> isrThread = new AtomicReference<>();
            AtomicReference<Irql> isrLevel = new AtomicReference<>();
            AtomicBoolean isrLocked = new AtomicBoolean();
            miniport.onStartIo = (ext, r) -> inFlight.compareAndSet(null, r);
            miniport.onInterrupt = ext -> {
                isrThread.set(Thread.currentThread());
                isrLevel.set(Irql.current());
                isrLocked.set(ext.channel.holdsInterruptLock());
                IoRequest r = inFlight.getAndSet(null);
                if (r != null) {
                    ext.channel.completeRequest(r, IoStatus.SUCCESS);
                }
                return true;
            };
            InterruptConnection connection = f.newSource();
            Channel<TestExt> channel = f.startChannel(miniport, connection);
            AtomicReference<Thread> completionThread = new AtomicReference<>();
            AtomicReference<Irql> completionLevel = new AtomicReference<>();
            AtomicBoolean completionLocked = new AtomicBoolean(true);
            IoRequest request = new IoRequest(null, r -> {
                completionThread.set(Thread.currentThread());
                completionLevel.set(Irql.current());
                completionLocked.set(channel.holdsInterruptLock());
            });
            Thread me = Thread.currentThread();
            Thread device = new Thread(() -> {
                try {
                    awaitTrue(() -> owns(connection, me), "the waiter to take the source");
                    f.source(0).fire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "test-device");
            device.start();
            assertTrue(channel.submitAndWait(request, Fixture.WAIT_SECONDS, TimeUnit.SECONDS));
            device.join();
            assertSame(me, isrThread.get(), "the ISR ran on the waiting thread");
            assertEquals(Irql.DIRQL, isrLevel.get());
            assertTrue(isrLocked.get(), "the ISR held the interrupt lock");
            assertSame(me, completionThread.get(), "the completion ran on the waiting thread");
            assertEquals(Irql.DISPATCH, completionLevel.get());
            assertFalse(completionLocked.get(), "the completion runs without the interrupt lock");
            assertEquals(Irql.PASSIVE, Irql.current(), "the waiter is back at PASSIVE");
            assertFalse(Levels.onInterruptThread(), "the waiter no longer counts as an interrupt thread");
            assertEquals(1, connection.interrupts());
            assertEquals(1, connection.interruptsTakenByWaiters());
            assertNull(connection.owner(), "the source was given back");

            CountDownLatch second = new CountDownLatch(1);
            channel.submit(new IoRequest(null, r -> second.countDown()));
            f.source(0).fire();
            await(second, "an asynchronous request's completion");
            assertSame(f.interruptThread(0), isrThread.get(), "with nobody waiting, the interrupt thread services again");
            assertEquals(2, connection.interrupts());
            assertEquals(1, connection.interruptsTakenByWaiters());
        }
    }

    @Test
    @DisplayName("A request completed by a DISPATCH worker, with no interrupt, ends the wait of the waiter that owns the source")
    void completionElsewhereWakesTheOwner() throws Exception {
        try (Fixture f = new Fixture(interruptMode())) {
            TestMiniport miniport = new TestMiniport(false);
            AtomicReference<IoRequest> inFlight = new AtomicReference<>();
            AtomicReference<Thread> completionThread = new AtomicReference<>();
            miniport.onStartIo = (ext, r) -> inFlight.compareAndSet(null, r);
            InterruptConnection connection = f.newSource();
            Channel<TestExt> channel = f.startChannel(miniport, connection);
            Thread me = Thread.currentThread();
            Thread device = new Thread(() -> {
                try {
                    awaitTrue(() -> owns(connection, me), "the waiter to take the source");
                    channel.requestWorkerRoutine(ext -> ext.channel.completeRequest(inFlight.getAndSet(null), IoStatus.SUCCESS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "test-device");
            device.start();
            long timeoutSeconds = 60;
            long start = System.nanoTime();
            assertTrue(channel.submitAndWait(new IoRequest(null, r -> completionThread.set(Thread.currentThread())),
                    timeoutSeconds, TimeUnit.SECONDS));
            long waitedSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            device.join();
            assertTrue(completionThread.get().getName().startsWith("jahci-dispatch-"), completionThread.get().getName());
            assertTrue(waitedSeconds < Fixture.WAIT_SECONDS, "the owner was woken by the completion, not by its "
                    + timeoutSeconds + " s timeout (waited " + waitedSeconds + " s)");
            assertEquals(0, connection.interrupts());
        }
    }

    /**
     * A device that completes each issued request with its own interrupt, and sends the next
     * interrupt only once the previous one was serviced, so that every signal is one interrupt
     * (none merges in the eventfd). The ISR records, per signal, how often and on which thread it
     * was serviced.
     */
    private static final class Device implements AutoCloseable {
        final Queue<IoRequest> issued = new ConcurrentLinkedQueue<>();
        final AtomicIntegerArray services;
        final AtomicInteger byWaiters = new AtomicInteger();
        final AtomicInteger byInterruptThread = new AtomicInteger();
        final AtomicInteger signals = new AtomicInteger();
        /** The signal being serviced now, or -1; set by the device before it fires. */
        volatile int current = -1;
        volatile boolean stop;
        final Thread thread;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Device(Fixture f, InterruptConnection connection, TestMiniport miniport, int maxSignals) {
            services = new AtomicIntegerArray(maxSignals);
            Queue<IoRequest> done = new ConcurrentLinkedQueue<>();
            miniport.onStartIo = (ext, r) -> issued.add(r);
            miniport.onInterrupt = ext -> {
                int k = current;
                if (k < 0) {
                    return false;
                }
                services.incrementAndGet(k);
                if (Thread.currentThread() == f.interruptThread(0)) {
                    byInterruptThread.incrementAndGet();
                } else {
                    byWaiters.incrementAndGet();
                }
                boolean claimed = false;
                for (IoRequest r = done.poll(); r != null; r = done.poll()) {
                    ext.channel.completeRequest(r, IoStatus.SUCCESS);
                    claimed = true;
                }
                return claimed;
            };
            thread = new Thread(() -> {
                try {
                    while (!stop) {
                        IoRequest r = issued.poll();
                        if (r == null) {
                            Thread.onSpinWait();
                            continue;
                        }
                        done.add(r);
                        int k = signals.getAndIncrement();
                        long before = connection.interrupts();
                        current = k;
                        f.source(0).fire();
                        awaitTrue(() -> connection.interrupts() > before, "interrupt " + k + " serviced");
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "test-device");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join();
            assertNull(failure.get(), () -> "device: " + failure.get());
        }
    }

    private static Thread waiter(Channel<TestExt> channel, int requests, AtomicInteger completed,
                                 AtomicReference<Throwable> failure, String name) {
        Thread t = new Thread(() -> {
            try {
                IoRequest request = new IoRequest(null, r -> completed.incrementAndGet());
                for (int i = 0; i < requests; i++) {
                    assertTrue(channel.submitAndWait(request, Fixture.WAIT_SECONDS, TimeUnit.SECONDS), name + " request " + i);
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, name);
        t.start();
        return t;
    }

    @ParameterizedTest(name = "async traffic={0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Exactly one thread services each interrupt: two waiters, with and without asynchronous requests, none lost or serviced twice")
    void everyInterruptServicedOnce(boolean async) throws Exception {
        int perWaiter = 300;
        int asyncRequests = async ? 300 : 0;
        try (Fixture f = new Fixture(interruptMode())) {
            TestMiniport miniport = new TestMiniport(false);
            InterruptConnection connection = f.newSource();
            int total = 2 * perWaiter + asyncRequests;
            Device device = new Device(f, connection, miniport, total);
            Channel<TestExt> channel = f.startChannel(miniport, connection);
            AtomicInteger completed = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            try (device) {
                Thread a = waiter(channel, perWaiter, completed, failure, "test-waiter-a");
                Thread b = waiter(channel, perWaiter, completed, failure, "test-waiter-b");
                Semaphore asyncSlot = new Semaphore(1);
                IoRequest asyncRequest = new IoRequest(null, r -> {
                    completed.incrementAndGet();
                    asyncSlot.release();
                });
                for (int i = 0; i < asyncRequests; i++) {
                    assertTrue(asyncSlot.tryAcquire(Fixture.WAIT_SECONDS, TimeUnit.SECONDS), "asynchronous request " + i);
                    channel.submit(asyncRequest);
                }
                a.join(TimeUnit.SECONDS.toMillis(4 * Fixture.WAIT_SECONDS));
                b.join(TimeUnit.SECONDS.toMillis(4 * Fixture.WAIT_SECONDS));
                assertNull(failure.get(), () -> "waiter: " + failure.get());
                assertFalse(a.isAlive() || b.isAlive(), "both waiters finished");
                awaitTrue(() -> completed.get() == total, "every request's completion");
            }
            assertEquals(total, device.signals.get(), "one interrupt per request");
            for (int k = 0; k < total; k++) {
                assertEquals(1, device.services.get(k), "interrupt " + k + " serviced once");
            }
            assertEquals(total, connection.interrupts(), "the port counted each interrupt once");
            assertEquals(0, connection.unclaimedInterrupts(), "no ISR ran for an interrupt already serviced");
            assertEquals(total, device.byWaiters.get() + device.byInterruptThread.get());
            assertEquals(device.byWaiters.get(), connection.interruptsTakenByWaiters());
            assertTrue(device.byWaiters.get() > 0, "waiters serviced interrupts themselves");
        }
    }
}
