package io.jahci.ataport;

import static io.jahci.ataport.Fixture.await;
import static io.jahci.ataport.Fixture.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SynchronizedRoutineTest {

    @ParameterizedTest(name = "SyncWithIsr={0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("S5: a synchronized routine runs at DIRQL under the interrupt lock; an interrupt raised inside it is held at the lock until it returns")
    void synchronizedRoutineExcludesIsr(boolean syncWithIsr) throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(syncWithIsr);
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            AtomicBoolean inSynchronized = new AtomicBoolean();
            AtomicBoolean isrOverlapped = new AtomicBoolean();
            AtomicLong isrCalls = new AtomicLong();
            miniport.onInterrupt = ext -> {
                isrOverlapped.compareAndSet(false, inSynchronized.get());
                isrCalls.incrementAndGet();
                return true;
            };
            List<Seen> seen = new ArrayList<>();
            List<Long> isrCallsWhileHeld = new ArrayList<>();
            ChannelRoutine<TestExt> holdWhileInterrupting = ext -> {
                seen.add(Seen.now(channel, ext));
                inSynchronized.set(true);
                long before = isrCalls.get();
                f.source(0).fire();
                // The interrupt thread has taken the interrupt and now waits for the lock this routine holds.
                Fixture.awaitWaitingFor(f.interruptLock(0), f.interruptThread(0), "the ISR held off");
                isrCallsWhileHeld.add(isrCalls.get() - before);
                inSynchronized.set(false);
            };

            channel.requestSynchronizedRoutine(holdWhileInterrupting); // from PASSIVE
            awaitTrue(() -> isrCalls.get() == 1, "the interrupt, once the synchronized routine returned");
            CountDownLatch fromWorker = new CountDownLatch(1);
            channel.requestWorkerRoutine(ext -> { // from DISPATCH
                ext.channel.requestSynchronizedRoutine(holdWhileInterrupting);
                fromWorker.countDown();
            });
            await(fromWorker, "the synchronized routine requested by a worker routine");
            awaitTrue(() -> isrCalls.get() == 2, "the second interrupt");

            assertEquals(List.of(0L, 0L), isrCallsWhileHeld, "the ISR ran inside a synchronized routine");
            assertFalse(isrOverlapped.get(), "the ISR overlapped a synchronized routine");
            assertEquals(2, seen.size());
            assertEquals(Thread.currentThread(), seen.get(0).thread(), "runs on the requesting thread");
            assertTrue(seen.get(1).thread().getName().startsWith("jahci-dispatch-"));
            for (Seen s : seen) {
                assertEquals(Irql.DIRQL, s.irql());
                assertTrue(s.interruptLock(), "interrupt lock held");
            }
            assertEquals(Irql.PASSIVE, Irql.current(), "the caller's level is restored");
        }
    }

    @Test
    @DisplayName("S6: the synchronized routine receives the extension of the channel it was requested on")
    void synchronizedRoutineGetsChannelExtension() throws Exception {
        try (Fixture f = new Fixture()) {
            InterruptConnection irq = f.newSource();
            Channel<TestExt> first = f.startChannel(new TestMiniport(false), irq);
            Channel<TestExt> second = f.startChannel(new TestMiniport(true), irq);
            AtomicReference<TestExt> got1 = new AtomicReference<>();
            AtomicReference<TestExt> got2 = new AtomicReference<>();
            first.requestSynchronizedRoutine(got1::set);
            second.requestSynchronizedRoutine(got2::set);
            assertSame(first.extension(), got1.get());
            assertSame(second.extension(), got2.get());
            assertNotSame(got1.get(), got2.get());
        }
    }

    /**
     * BuildIo reads the shared counter, and the ISR is made to run before BuildIo writes it back:
     * BuildIo fires the interrupt and waits until the ISR has incremented the counter. Both
     * increments happened, one survives: a lost update, every time.
     */
    @ParameterizedTest(name = "SyncWithIsr={0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("S7: without a synchronized routine, an ISR forced between BuildIo's read and write of shared data loses an update, every time")
    void unsynchronizedBuildIoLosesTheIsrUpdate(boolean syncWithIsr) throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(syncWithIsr);
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            CountDownLatch isrRan = new CountDownLatch(1);
            miniport.onInterrupt = ext -> {
                ext.shared++;
                isrRan.countDown();
                return true;
            };
            miniport.onBuildIo = (ext, request) -> {
                long read = ext.shared;
                f.source(0).fire();
                awaitQuietly(isrRan);
                ext.shared = read + 1;
                ext.channel.completeRequest(request, IoStatus.SUCCESS);
                return false;
            };
            assertTrue(channel.submitAndWait(new IoRequest(null, null), Fixture.WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals(1, channel.extension().shared, "two increments (BuildIo's and the ISR's), one survived");
        }
    }

    /**
     * The same interleaving attempted through a synchronized routine: the interrupt fires between
     * the read and the write, and the interrupt thread is seen waiting for the interrupt lock
     * until the routine has written. Both increments survive.
     */
    @ParameterizedTest(name = "SyncWithIsr={0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("S7: an unsynchronized BuildIo updates data shared with the ISR through a synchronized routine: the ISR forced into the update waits, no update is lost")
    void buildIoUpdatesSharedDataThroughSynchronizedRoutine(boolean syncWithIsr) throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(syncWithIsr);
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            CountDownLatch isrRan = new CountDownLatch(1);
            miniport.onInterrupt = ext -> {
                ext.shared++;
                isrRan.countDown();
                return true;
            };
            AtomicBoolean buildIoLocked = new AtomicBoolean();
            ChannelRoutine<TestExt> increment = ext -> {
                long read = ext.shared;
                f.source(0).fire();
                Fixture.awaitWaitingFor(f.interruptLock(0), f.interruptThread(0), "the ISR inside the update");
                ext.shared = read + 1;
            };
            miniport.onBuildIo = (ext, request) -> {
                buildIoLocked.set(channel.holdsChannelLock() || channel.holdsInterruptLock());
                ext.channel.requestSynchronizedRoutine(increment);
                ext.channel.completeRequest(request, IoStatus.SUCCESS);
                return false;
            };
            assertTrue(channel.submitAndWait(new IoRequest(null, null), Fixture.WAIT_SECONDS, TimeUnit.SECONDS));
            await(isrRan, "the ISR after the synchronized routine");
            long[] shared = new long[1];
            channel.requestSynchronizedRoutine(ext -> shared[0] = ext.shared);
            assertEquals(2, shared[0], "BuildIo's and the ISR's increments");
            assertFalse(buildIoLocked.get(), "BuildIo ran holding a port lock");
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            await(latch, "the ISR");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
