package io.jahci.ataport;

import static io.jahci.ataport.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The interrupt thread stays free to run ISRs: DISPATCH work that takes a channel lock (StartIo of
 * a busy-queued request, StartIo of a request a completion callback submits) never runs on it, so
 * with SyncWithIsr FALSE an ISR can run during that StartIo (S2, S9), and the interrupt thread is
 * never held at a channel lock.
 */
class InterruptThreadTest {

    @Test
    @DisplayName("The interrupt count read for a window's edge waits for the interrupt being serviced and includes it")
    void countedInterruptsIncludeTheOneBeingServiced() throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().completionMode(CompletionMode.INTERRUPT))) {
            TestMiniport miniport = new TestMiniport(false);
            CountDownLatch isrInside = new CountDownLatch(1);
            CountDownLatch letIsrGo = new CountDownLatch(1);
            miniport.onInterrupt = ext -> {
                isrInside.countDown();
                try {
                    letIsrGo.await(Fixture.WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return true;
            };
            InterruptConnection connection = f.newSource();
            f.startChannel(miniport, connection);
            f.source(0).fire();
            await(isrInside, "the ISR");

            AtomicLong counted = new AtomicLong(-1);
            Thread reader = new Thread(() -> counted.set(connection.interruptsCounted()), "test-window-edge");
            reader.start();
            Fixture.awaitWaitingFor(connection.lock(), reader, "the count while an ISR runs");
            assertEquals(0, connection.interrupts(), "the interrupt is counted once its ISRs returned");
            letIsrGo.countDown();
            reader.join(TimeUnit.SECONDS.toMillis(Fixture.WAIT_SECONDS));
            assertEquals(1, counted.get(), "the count read at the edge includes the interrupt that was being serviced");
        }
    }

    @Test
    @DisplayName("S9: with SyncWithIsr FALSE, the StartIo of a busy-queued request, re-offered after the ISR completed the request before it, runs where the ISRs of both channels on its source can run inside it")
    void isrRunsInsideReofferedStartIo() throws Exception {
        try (Fixture f = new Fixture()) {
            InterruptConnection irq = f.newSource();
            TestMiniport miniportA = new TestMiniport(false);
            TestMiniport miniportB = new TestMiniport(false);
            Channel<TestExt> a = f.startChannel(miniportA, irq);
            f.startChannel(miniportB, irq);
            AtomicReference<IoRequest> slot = new AtomicReference<>();
            AtomicInteger offers = new AtomicInteger();
            AtomicReference<CountDownLatch> isrsInside = new AtomicReference<>(new CountDownLatch(0));
            List<Object> seenInReoffer = new CopyOnWriteArrayList<>();
            CountDownLatch reofferDone = new CountDownLatch(1);
            miniportA.onStartIo = (ext, request) -> {
                int offer = offers.incrementAndGet();
                if (offer == 2) {
                    return false; // R2, first offer: busy while R1 runs
                }
                slot.set(request);
                if (offer == 3) { // R2, re-offered after R1 completed
                    CountDownLatch inside = new CountDownLatch(2);
                    isrsInside.set(inside);
                    f.source(0).fire();
                    seenInReoffer.add(Thread.currentThread().getName());
                    seenInReoffer.add(awaitQuietly(inside));
                    reofferDone.countDown();
                }
                return true;
            };
            miniportA.onInterrupt = ext -> {
                isrsInside.get().countDown();
                if (offers.get() == 2) { // the first interrupt: R1 finished
                    ext.channel.completeRequest(slot.getAndSet(null), IoStatus.SUCCESS);
                }
                return true;
            };
            miniportB.onInterrupt = ext -> {
                isrsInside.get().countDown();
                return true;
            };
            IoRequest r1 = new IoRequest("R1", null);
            IoRequest r2 = new IoRequest("R2", null);
            a.submit(r1);
            a.submit(r2);
            assertEquals(2, offers.get(), "R1 accepted, R2 refused as busy");
            f.source(0).fire(); // A's ISR completes R1; R2 is offered again
            assertTrue(reofferDone.await(2 * Fixture.WAIT_SECONDS, TimeUnit.SECONDS), "R2's re-offered StartIo returned");
            assertEquals(Boolean.TRUE, seenInReoffer.get(1), "the ISRs of A and B ran inside the re-offered StartIo (on "
                    + seenInReoffer.get(0) + ")");
            assertTrue(seenInReoffer.get(0).toString().startsWith("jahci-dispatch-"),
                    "the re-offered StartIo ran on " + seenInReoffer.get(0));
            a.completeRequest(slot.getAndSet(null), IoStatus.SUCCESS);
        }
    }

    @Test
    @DisplayName("S2: a completion callback on the interrupt thread that submits while another routine holds the channel lock leaves the interrupt thread free: the next ISR runs meanwhile, and the interrupt thread is never the channel lock's waiter")
    void completionSubmittingNeverHoldsTheInterruptThreadAtTheChannelLock() throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().completionMode(CompletionMode.INTERRUPT))) {
            TestMiniport miniport = new TestMiniport(false);
            AtomicReference<IoRequest> slot = new AtomicReference<>();
            List<String> startIoThreads = new CopyOnWriteArrayList<>();
            miniport.onStartIo = (ext, request) -> {
                startIoThreads.add(Thread.currentThread().getName());
                return slot.compareAndSet(null, request);
            };
            AtomicInteger isrs = new AtomicInteger();
            CountDownLatch secondIsr = new CountDownLatch(1);
            miniport.onInterrupt = ext -> {
                if (isrs.incrementAndGet() == 1) {
                    ext.channel.completeRequest(slot.getAndSet(null), IoStatus.SUCCESS);
                } else {
                    secondIsr.countDown();
                }
                return true;
            };
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            IoRequest r2 = new IoRequest("R2", null);
            CountDownLatch callbackEntered = new CountDownLatch(1);
            IoRequest r1 = new IoRequest("R1", r -> {
                callbackEntered.countDown();
                channel.submit(r2);
            });
            channel.submit(r1);
            // Control(PowerUp) on a helper thread holds the channel lock, as a worker routine would, but
            // without the channel's DPC, so R1's completion runs on the interrupt thread.
            CountDownLatch holderInside = new CountDownLatch(1);
            AtomicReference<Boolean> isrRanWhileHeld = new AtomicReference<>();
            AtomicReference<Thread> channelLockWaiter = new AtomicReference<>();
            miniport.onControl = (ext, action) -> {
                if (action == ControlAction.POWER_UP) {
                    holderInside.countDown();
                    isrRanWhileHeld.set(awaitQuietly(secondIsr));
                    channelLockWaiter.set(ext.channel.channelLock().waiter());
                }
                return true;
            };
            Thread holder = new Thread(channel::powerUp, "lock-holder");
            holder.start();
            await(holderInside, "PowerUp holding the channel lock");
            f.source(0).fire(); // the ISR completes R1; its callback submits R2 on the interrupt thread
            await(callbackEntered, "R1's completion callback");
            f.source(0).fire();
            holder.join(TimeUnit.SECONDS.toMillis(2 * Fixture.WAIT_SECONDS));
            assertEquals(Boolean.TRUE, isrRanWhileHeld.get(), "the second ISR ran while PowerUp held the channel lock");
            assertNotSame(f.interruptThread(0), channelLockWaiter.get(), "the interrupt thread waited at the channel lock");
            Fixture.awaitTrue(() -> slot.get() == r2, "R2's StartIo");
            assertTrue(startIoThreads.get(1).startsWith("jahci-dispatch-"), "R2's StartIo ran on " + startIoThreads.get(1));
            channel.completeRequest(slot.getAndSet(null), IoStatus.SUCCESS);
        }
    }

    @Test
    @DisplayName("S9: a completion callback on one source's interrupt thread that submits to a channel on another source hands StartIo to a DISPATCH worker, which runs it")
    void submitToAChannelOnAnotherSourceFromTheInterruptThread() throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().completionMode(CompletionMode.INTERRUPT))) {
            TestMiniport miniportA = new TestMiniport(false);
            AtomicReference<IoRequest> slot = new AtomicReference<>();
            miniportA.onStartIo = (ext, r) -> slot.compareAndSet(null, r);
            miniportA.onInterrupt = ext -> {
                IoRequest r = slot.getAndSet(null);
                if (r != null) {
                    ext.channel.completeRequest(r, IoStatus.SUCCESS);
                }
                return true;
            };
            TestMiniport miniportB = new TestMiniport(false);
            CountDownLatch bStarted = new CountDownLatch(1);
            AtomicReference<String> bStartIoThread = new AtomicReference<>();
            miniportB.onStartIo = (ext, r) -> {
                bStartIoThread.set(Thread.currentThread().getName());
                bStarted.countDown();
                ext.channel.completeRequest(r, IoStatus.SUCCESS);
                return true;
            };
            Channel<TestExt> a = f.startChannel(miniportA, f.newSource());
            Channel<TestExt> b = f.startChannel(miniportB, f.newSource());
            IoRequest toB = new IoRequest("to B", null);
            a.submit(new IoRequest("A", r -> b.submit(toB)));
            f.source(0).fire();
            await(bStarted, "B's StartIo for the request submitted on A's interrupt thread");
            assertTrue(bStartIoThread.get().startsWith("jahci-dispatch-"), bStartIoThread.get());
        }
    }

    /** Waits for {@code latch} (bounded); whether it opened. */
    private static boolean awaitQuietly(CountDownLatch latch) {
        try {
            return latch.await(Fixture.WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
