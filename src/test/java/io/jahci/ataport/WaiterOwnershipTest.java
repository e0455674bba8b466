package io.jahci.ataport;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static io.jahci.ataport.Fixture.await;
import static io.jahci.ataport.Fixture.awaitTrue;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Who owns an interrupt source while a caller waits for its requests
 * ({@link Channel#awaitTakingInterrupt}; docs/port-layer.md, "A waiter takes its own interrupt"):
 * what the wait answers on each of its ways out, when it takes the source and when it must not (a
 * waiter already owns it, the interrupt thread is servicing), that the source is given back before
 * the answer, and that the waiter is woken once per event rather than spinning.
 */
class WaiterOwnershipTest {
    private static PortDriverOptions interruptMode() {
        return new PortDriverOptions().completionMode(CompletionMode.INTERRUPT);
    }

    /**
     * A {@code done} condition that records, at each look, which waiter owned the source: how
     * often it was asked, the owner at the first and the last look, and whether the asking thread
     * was ever seen owning it. It answers {@link #answer}.
     */
    private static final class Looks implements BooleanSupplier {
        final InterruptConnection connection;
        final AtomicInteger count = new AtomicInteger();
        final AtomicReference<Thread> firstOwner = new AtomicReference<>();
        final AtomicReference<Thread> lastOwner = new AtomicReference<>();
        final AtomicBoolean sawItselfOwning = new AtomicBoolean();
        /** The answer from the given look on (1-based); never true when 0. */
        final int trueFrom;
        final AtomicBoolean answer = new AtomicBoolean();

        Looks(InterruptConnection connection, int trueFrom) {
            this.connection = connection;
            this.trueFrom = trueFrom;
        }

        @Override
        public boolean getAsBoolean() {
            Thread owner = connection.owner();
            if (count.incrementAndGet() == 1) {
                firstOwner.set(owner);
            }
            lastOwner.set(owner);
            if (owner == Thread.currentThread()) {
                sawItselfOwning.set(true);
            }
            return answer.get() || (trueFrom > 0 && count.get() >= trueFrom);
        }
    }

    /** A miniport whose ISR claims every interrupt and records the thread it ran on. */
    private static TestMiniport recordingIsrThread(AtomicReference<Thread> isrThread) {
        TestMiniport miniport = new TestMiniport(false);
        miniport.onInterrupt = ext -> {
            isrThread.set(Thread.currentThread());
            return true;
        };
        return miniport;
    }

    /** Fires one interrupt once the interrupt thread has the source again and checks that it serviced it. */
    private static void interruptThreadServices(Fixture f, InterruptConnection connection, AtomicReference<Thread> isrThread)
            throws InterruptedException {
        long before = connection.interrupts();
        f.source(0).fire();
        awaitTrue(() -> connection.interrupts() > before, "an interrupt fired after the wait to be serviced");
        assertSame(f.interruptThread(0), isrThread.get(), "the interrupt thread had the source back");
    }

    @Test
    @DisplayName("A wait whose condition already holds answers true at once and takes nothing")
    void doneAtOnceTakesNothing() throws Exception {
        try (Fixture f = new Fixture(interruptMode())) {
            AtomicReference<Thread> isrThread = new AtomicReference<>();
            InterruptConnection connection = f.newSource();
            Channel<TestExt> channel = f.startChannel(recordingIsrThread(isrThread), connection);
            Looks done = new Looks(connection, 1);
            assertTrue(channel.awaitTakingInterrupt(done, Fixture.WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals(1, done.count.get(), "the condition was asked once");
            assertFalse(done.sawItselfOwning.get(), "the waiter never owned the source");
            interruptThreadServices(f, connection, isrThread);
            assertEquals(0, connection.interruptsTakenByWaiters());
        }
    }

    @Test
    @DisplayName("A wait that times out owns the source meanwhile, gives it back before it answers, and answers false no earlier than its timeout")
    void aWaitThatTimesOutGivesBackAndAnswersFalse() throws Exception {
        try (Fixture f = new Fixture(interruptMode())) {
            AtomicReference<Thread> isrThread = new AtomicReference<>();
            InterruptConnection connection = f.newSource();
            Channel<TestExt> channel = f.startChannel(recordingIsrThread(isrThread), connection);
            Looks done = new Looks(connection, 0);
            long timeoutMillis = 200;
            AtomicReference<Boolean> answer = new AtomicReference<>();
            AtomicLong waitedMillis = new AtomicLong();
            Thread waiter = new Thread(() -> {
                long start = System.nanoTime();
                answer.set(channel.awaitTakingInterrupt(done, timeoutMillis, TimeUnit.MILLISECONDS));
                waitedMillis.set(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }, "test-waiter");
            waiter.start();
            waiter.join(TimeUnit.SECONDS.toMillis(Fixture.WAIT_SECONDS));
            assertFalse(waiter.isAlive(), "the wait ended after its " + timeoutMillis + " ms timeout");
            assertEquals(Boolean.FALSE, answer.get());
            assertTrue(waitedMillis.get() >= timeoutMillis, "answered after " + waitedMillis + " ms, before its timeout");
            assertNull(done.firstOwner.get(), "nobody owned the source at the first look");
            assertTrue(done.sawItselfOwning.get(), "the waiter owned the source while it waited");
            assertNull(done.lastOwner.get(), "the source was given back before the last look");
            assertNull(connection.owner());
            interruptThreadServices(f, connection, isrThread);
            assertEquals(0, connection.interruptsTakenByWaiters());
        }
    }

    @Test
    @DisplayName("While one waiter owns the source, another returns at once with its condition's answer, and the owner still gets its interrupt")
    void aSecondWaiterReturnsAtOnce() throws Exception {
        try (Fixture f = new Fixture(interruptMode())) {
            TestMiniport miniport = new TestMiniport(false);
            AtomicReference<Thread> isrThread = new AtomicReference<>();
            InterruptConnection connection = f.newSource();
            Looks ownerDone = new Looks(connection, 0);
            miniport.onInterrupt = ext -> {
                isrThread.set(Thread.currentThread());
                ownerDone.answer.set(true);
                return true;
            };
            Channel<TestExt> channel = f.startChannel(miniport, connection);
            AtomicBoolean ownerAnswer = new AtomicBoolean();
            AtomicReference<Throwable> ownerFailure = new AtomicReference<>();
            Thread owner = new Thread(() -> {
                try {
                    ownerAnswer.set(channel.awaitTakingInterrupt(ownerDone, 4 * Fixture.WAIT_SECONDS, TimeUnit.SECONDS));
                } catch (Throwable t) {
                    ownerFailure.set(t);
                }
            }, "test-owner");
            owner.start();
            awaitTrue(() -> connection.owner() == owner, "the first waiter to take the source");

            Looks never = new Looks(connection, 0);
            assertFalse(channel.awaitTakingInterrupt(never, Fixture.WAIT_SECONDS, TimeUnit.SECONDS));
            assertSame(owner, connection.owner(), "the second waiter returned while the first still owns the source");
            assertFalse(never.sawItselfOwning.get(), "the second waiter never owned the source");
            Looks secondLook = new Looks(connection, 2);
            assertTrue(channel.awaitTakingInterrupt(secondLook, Fixture.WAIT_SECONDS, TimeUnit.SECONDS),
                    "the answer is the condition's at return, not at the first look");
            assertEquals(2, secondLook.count.get());
            assertSame(owner, connection.owner());

            f.source(0).fire();
            owner.join(TimeUnit.SECONDS.toMillis(4 * Fixture.WAIT_SECONDS));
            assertFalse(owner.isAlive(), "the owner's wait ended");
            assertNull(ownerFailure.get(), () -> "owner: " + ownerFailure.get());
            assertTrue(ownerAnswer.get(), "the owner's condition held");
            assertSame(owner, isrThread.get(), "the owner serviced its interrupt");
            assertEquals(1, connection.interruptsTakenByWaiters());
            assertNull(connection.owner());
        }
    }

    @Test
    @DisplayName("A waiter does not take the source while the interrupt thread services it; once that is over, the next waiter takes it")
    void noTakeWhileTheInterruptThreadServices() throws Exception {
        try (Fixture f = new Fixture(interruptMode())) {
            TestMiniport miniport = new TestMiniport(false);
            AtomicReference<Thread> isrThread = new AtomicReference<>();
            CountDownLatch isrInside = new CountDownLatch(1);
            CountDownLatch letIsrGo = new CountDownLatch(1);
            AtomicBoolean isrLeft = new AtomicBoolean();
            AtomicBoolean waiterDone = new AtomicBoolean();
            AtomicInteger isrs = new AtomicInteger();
            miniport.onInterrupt = ext -> {
                isrThread.set(Thread.currentThread());
                if (isrs.incrementAndGet() == 1) {
                    isrInside.countDown();
                    try {
                        letIsrGo.await(Fixture.WAIT_SECONDS, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    isrLeft.set(true);
                } else {
                    waiterDone.set(true);
                }
                return true;
            };
            InterruptConnection connection = f.newSource();
            Channel<TestExt> channel = f.startChannel(miniport, connection);
            f.source(0).fire();
            await(isrInside, "the interrupt thread's ISR");

            Looks never = new Looks(connection, 0);
            assertFalse(channel.awaitTakingInterrupt(never, 4 * Fixture.WAIT_SECONDS, TimeUnit.SECONDS));
            assertFalse(isrLeft.get(), "the waiter returned while the interrupt thread was still servicing");
            assertFalse(never.sawItselfOwning.get(), "the waiter never owned the source");
            assertNull(never.lastOwner.get());
            Looks secondLook = new Looks(connection, 2);
            assertTrue(channel.awaitTakingInterrupt(secondLook, 4 * Fixture.WAIT_SECONDS, TimeUnit.SECONDS),
                    "the answer is the condition's at return, not at the first look");
            assertFalse(secondLook.sawItselfOwning.get());
            letIsrGo.countDown();
            awaitTrue(() -> connection.interrupts() == 1, "the interrupt thread to finish servicing");
            assertSame(f.interruptThread(0), isrThread.get());
            assertTrue(isrLeft.get());

            Thread me = Thread.currentThread();
            Thread device = new Thread(() -> {
                try {
                    awaitTrue(() -> connection.owner() == me, "the waiter to take the source");
                    f.source(0).fire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "test-device");
            device.start();
            // the interrupt thread gives the source up just after its count: until then a wait
            // returns at once, so wait again until one takes the source and gets the interrupt
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Fixture.WAIT_SECONDS);
            while (!channel.awaitTakingInterrupt(waiterDone::get, Fixture.WAIT_SECONDS, TimeUnit.SECONDS)) {
                assertTrue(System.nanoTime() < deadline, "no waiter took the source after the interrupt thread's servicing");
            }
            device.join();
            assertSame(me, isrThread.get(), "the waiter serviced the second interrupt itself");
            assertEquals(1, connection.interruptsTakenByWaiters());
        }
    }

    @Test
    @DisplayName("A waiter that owns the source is woken once per completion run elsewhere and once per interrupt: it looks at its condition once per event")
    void theOwnerLooksOncePerEvent() throws Exception {
        try (Fixture f = new Fixture(interruptMode())) {
            TestMiniport miniport = new TestMiniport(false);
            AtomicReference<IoRequest> inFlight = new AtomicReference<>();
            miniport.onStartIo = (ext, r) -> inFlight.compareAndSet(null, r);
            InterruptConnection connection = f.newSource();
            Looks done = new Looks(connection, 0);
            AtomicReference<Thread> isrThread = new AtomicReference<>();
            miniport.onInterrupt = ext -> {
                isrThread.set(Thread.currentThread());
                done.answer.set(true);
                return true;
            };
            Channel<TestExt> channel = f.startChannel(miniport, connection);
            Thread me = Thread.currentThread();
            CountDownLatch completions = new CountDownLatch(2);
            IoRequest elsewhere = new IoRequest(null, r -> completions.countDown());
            AtomicReference<Throwable> deviceFailure = new AtomicReference<>();
            Thread device = new Thread(() -> {
                try {
                    awaitTrue(() -> connection.owner() == me, "the waiter to take the source");
                    for (int i = 1; i <= 2; i++) {
                        channel.submit(elsewhere);
                        channel.requestWorkerRoutine(ext -> ext.channel.completeRequest(inFlight.getAndSet(null), IoStatus.SUCCESS));
                        int looks = 2 + i; // two before the first event, then one per wake
                        awaitTrue(() -> done.count.get() >= looks, "the waiter to look after completion " + i);
                    }
                    f.source(0).fire();
                } catch (Throwable t) {
                    deviceFailure.set(t);
                }
            }, "test-device");
            device.start();
            assertTrue(channel.awaitTakingInterrupt(done, 4 * Fixture.WAIT_SECONDS, TimeUnit.SECONDS));
            device.join(TimeUnit.SECONDS.toMillis(Fixture.WAIT_SECONDS));
            assertNull(deviceFailure.get(), () -> "device: " + deviceFailure.get());
            await(completions, "both completions on the DISPATCH worker");
            assertSame(me, isrThread.get(), "the waiter serviced the interrupt");
            // a look before the take, one on entering the wait, one per completion elsewhere, one
            // after the interrupt and one for the answer: a waiter that did not consume its wake-up
            // signal would look again and again until the interrupt came
            assertEquals(6, done.count.get(), "looks at the condition");
        }
    }
    @Test
    @DisplayName("While one waiter owns the source, another caller's submitAndWait parks, and the owner's completion of its request unparks it")
    void aParkedWaiterIsWokenByTheOwnersCompletion() throws Exception {
        try (Fixture f = new Fixture(interruptMode())) {
            TestMiniport miniport = new TestMiniport(false);
            AtomicReference<IoRequest> inFlight = new AtomicReference<>();
            miniport.onStartIo = (ext, r) -> inFlight.compareAndSet(null, r);
            InterruptConnection connection = f.newSource();
            Looks ownerDone = new Looks(connection, 0);
            AtomicReference<Thread> isrThread = new AtomicReference<>();
            AtomicReference<Thread> completionThread = new AtomicReference<>();
            miniport.onInterrupt = ext -> {
                isrThread.set(Thread.currentThread());
                ext.channel.completeRequest(inFlight.getAndSet(null), IoStatus.SUCCESS);
                return true;
            };
            Channel<TestExt> channel = f.startChannel(miniport, connection);
            Thread owner = new Thread(() -> channel.awaitTakingInterrupt(ownerDone, 4 * Fixture.WAIT_SECONDS, TimeUnit.SECONDS),
                    "test-owner");
            owner.start();
            awaitTrue(() -> connection.owner() == owner, "the first waiter to take the source");

            IoRequest request = new IoRequest(null, r -> {
                completionThread.set(Thread.currentThread());
                ownerDone.answer.set(true);
            });
            AtomicBoolean completed = new AtomicBoolean();
            // a timeout far beyond the join below: only the unpark can end this wait in time
            Thread parked = new Thread(() -> completed.set(channel.submitAndWait(request, 12 * Fixture.WAIT_SECONDS, TimeUnit.SECONDS)),
                    "test-parked");
            parked.start();
            awaitTrue(() -> LockSupport.getBlocker(parked) == request, "the second caller to park on its request");
            assertSame(owner, connection.owner());
            f.source(0).fire();
            parked.join(TimeUnit.SECONDS.toMillis(2 * Fixture.WAIT_SECONDS));
            assertFalse(parked.isAlive(), "the parked caller was woken by its completion, not by its timeout");
            assertTrue(completed.get());
            assertSame(owner, isrThread.get(), "the owner serviced the interrupt");
            assertSame(owner, completionThread.get(), "and ran the completion");
            owner.join(TimeUnit.SECONDS.toMillis(Fixture.WAIT_SECONDS));
            assertFalse(owner.isAlive(), "the owner's wait ended");
        }
    }
}
