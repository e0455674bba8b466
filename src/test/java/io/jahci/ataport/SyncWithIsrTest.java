package io.jahci.ataport;

import static io.jahci.ataport.Fixture.await;
import static io.jahci.ataport.Fixture.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.InOrder;

class SyncWithIsrTest {
    private static final List<String> SERIALIZED = List.of("initialize", "startIo", "reset");

    /** Step n (1: Initialize, 2: StartIo, 3: Reset) has returned. */
    private interface AfterStep {
        void done(int step) throws InterruptedException;
    }

    /** Runs Initialize, StartIo and Reset once each, each running {@code whileInside}. */
    private static Channel<TestExt> runInitializeStartIoReset(Fixture f, TestMiniport miniport,
            Predicate<TestExt> whileInside, AfterStep afterStep) throws Exception {
        miniport.onInitialize = whileInside;
        miniport.onStartIo = (ext, request) -> whileInside.test(ext);
        miniport.onReset = whileInside;
        Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
        afterStep.done(1);
        IoRequest request = new IoRequest(null, null);
        channel.submit(request);
        channel.completeRequest(request, IoStatus.SUCCESS);
        afterStep.done(2);
        assertTrue(channel.reset());
        afterStep.done(3);
        return channel;
    }

    @Test
    @DisplayName("S8: with SyncWithIsr TRUE, Initialize, StartIo and Reset run at DIRQL under the interrupt lock; an interrupt raised inside each is held at the lock until it returns")
    void syncWithIsrTrue() throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(true);
            AtomicBoolean inside = new AtomicBoolean();
            AtomicBoolean isrOverlapped = new AtomicBoolean();
            AtomicLong isrCalls = new AtomicLong();
            List<Long> isrCallsWhileInside = new CopyOnWriteArrayList<>();
            miniport.onInterrupt = ext -> {
                isrOverlapped.compareAndSet(false, inside.get());
                isrCalls.incrementAndGet();
                return true;
            };
            Channel<TestExt> channel = runInitializeStartIoReset(f, miniport, ext -> {
                inside.set(true);
                long before = isrCalls.get();
                f.source(0).fire();
                // The interrupt thread took the interrupt and waits for the interrupt lock this routine holds.
                Fixture.awaitWaitingFor(f.interruptLock(0), f.interruptThread(0), "the ISR held off");
                isrCallsWhileInside.add(isrCalls.get() - before);
                inside.set(false);
                return true;
            }, step -> awaitTrue(() -> isrCalls.get() == step, "the interrupt, once step " + step + " returned"));
            assertEquals(List.of(0L, 0L, 0L), isrCallsWhileInside, "the ISR ran inside Initialize, StartIo or Reset");
            assertFalse(isrOverlapped.get(), "the ISR ran inside Initialize, StartIo or Reset");
            Map<String, Seen> seen = channel.extension().seen;
            for (String routine : SERIALIZED) {
                Seen s = seen.get(routine);
                assertEquals(Irql.DIRQL, s.irql(), routine);
                assertTrue(s.interruptLock(), routine + " holds the interrupt lock");
                assertTrue(s.channelLock(), routine + " holds the channel lock");
                assertSame(Thread.currentThread(), s.thread(), routine + " runs on the calling thread");
            }
        }
    }

    @Test
    @DisplayName("S9: with SyncWithIsr FALSE, Initialize, StartIo and Reset run at DISPATCH without the interrupt lock and the ISR runs concurrently")
    void syncWithIsrFalse() throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(false);
            Map<String, Boolean> isrRanInside = new ConcurrentHashMap<>();
            AtomicReferenceLatch isrRan = new AtomicReferenceLatch();
            miniport.onInterrupt = ext -> {
                isrRan.current().countDown();
                return true;
            };
            Channel<TestExt> channel = runInitializeStartIoReset(f, miniport, ext -> {
                CountDownLatch latch = isrRan.renew();
                f.source(0).fire();
                try {
                    isrRanInside.put(String.valueOf(isrRanInside.size()), latch.await(Fixture.WAIT_SECONDS, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return true;
            }, step -> { });
            assertEquals(Map.of("0", true, "1", true, "2", true), isrRanInside, "the ISR ran inside each routine");
            Map<String, Seen> seen = channel.extension().seen;
            for (String routine : SERIALIZED) {
                Seen s = seen.get(routine);
                assertEquals(Irql.DISPATCH, s.irql(), routine);
                assertFalse(s.interruptLock(), routine + " holds the interrupt lock");
                assertTrue(s.channelLock(), routine + " holds the channel lock");
            }
        }
    }

    /** A latch that can be replaced, so one ISR hook serves several rounds. */
    private static final class AtomicReferenceLatch {
        private volatile CountDownLatch latch = new CountDownLatch(1);

        CountDownLatch renew() {
            latch = new CountDownLatch(1);
            return latch;
        }

        CountDownLatch current() {
            return latch;
        }
    }

    @ParameterizedTest(name = "SyncWithIsr={0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("S10: channel init and Start/StopChannel run at PASSIVE, PowerUp/PowerDown and BuildIo at or below DISPATCH, the ISR at DIRQL, in both SyncWithIsr modes")
    void levelsOfTheOtherRoutines(boolean syncWithIsr) throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(syncWithIsr);
            CountDownLatch isrRan = new CountDownLatch(1);
            miniport.onInterrupt = ext -> {
                isrRan.countDown();
                return true;
            };
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            Map<String, Seen> seen = channel.extension().seen;
            Thread me = Thread.currentThread();

            assertTrue(channel.powerDown());
            assertTrue(channel.powerUp());
            miniport.onControl = (ext, action) -> action != ControlAction.POWER_UP;
            assertFalse(channel.powerUp(), "PowerUp's answer is returned");
            miniport.onControl = (ext, action) -> true;
            IoRequest request = new IoRequest(null, null);
            channel.submit(request); // BuildIo at PASSIVE on this thread
            Seen buildIoPassive = seen.get("buildIo");
            CountDownLatch resubmitted = new CountDownLatch(1);
            IoRequest fromCallback = new IoRequest(null, r -> {
                channel.submit(request); // BuildIo at DISPATCH on a worker thread
                resubmitted.countDown();
            });
            channel.completeRequest(request, IoStatus.SUCCESS);
            awaitTrue(() -> !request.inFlight(), "the first completion");
            channel.submit(fromCallback);
            channel.completeRequest(fromCallback, IoStatus.SUCCESS);
            await(resubmitted, "the resubmission from the completion callback");
            Seen buildIoDispatch = seen.get("buildIo");
            f.source(0).fire();
            await(isrRan, "the ISR");
            channel.stop();

            assertSeen(seen.get("channelInit"), Irql.PASSIVE, me, false, false);
            assertSeen(seen.get("control START_CHANNEL"), Irql.PASSIVE, me, false, false);
            assertSeen(seen.get("control STOP_CHANNEL"), Irql.PASSIVE, me, false, false);
            assertSeen(seen.get("control POWER_UP"), Irql.DISPATCH, me, false, true);
            assertSeen(seen.get("control POWER_DOWN"), Irql.DISPATCH, me, false, true);
            assertSeen(buildIoPassive, Irql.PASSIVE, me, false, false);
            assertEquals(Irql.DISPATCH, buildIoDispatch.irql());
            assertTrue(buildIoDispatch.thread() instanceof PortThread, "a port thread (a worker, or jahci-poll in the polling modes)");
            assertFalse(buildIoDispatch.interruptLock() || buildIoDispatch.channelLock(), "BuildIo holds no lock");
            Seen isr = seen.get("interrupt");
            assertEquals(Irql.DIRQL, isr.irql());
            assertTrue(isr.interruptLock());
            assertFalse(isr.channelLock());
            assertTrue(isr.thread().getName().startsWith("jahci-irq-"), isr.thread().getName());
        }
    }

    @Test
    @DisplayName("S10: the port calls channel init, StartChannel, Initialize and StopChannel in order, each at its level (verified on a mock miniport)")
    @SuppressWarnings("unchecked")
    void callOrderOnMockMiniport() throws Exception {
        try (Fixture f = new Fixture()) {
            Miniport<Object> miniport = mock(Miniport.class);
            Object extension = new Object();
            Map<String, Irql> levels = new ConcurrentHashMap<>();
            doAnswer(inv -> {
                levels.put("channelInit", Irql.current());
                inv.getArgument(1, ChannelConfiguration.class).syncWithIsr(true);
                return extension;
            }).when(miniport).channelInit(any(), any());
            doAnswer(inv -> {
                levels.put("control " + inv.getArgument(1), Irql.current());
                return true;
            }).when(miniport).control(eq(extension), any());
            doAnswer(inv -> {
                levels.put("initialize", Irql.current());
                return true;
            }).when(miniport).initialize(extension);

            Channel<Object> channel = f.port.createChannel(miniport, f.newSource());
            assertTrue(channel.syncWithIsr(), "the configuration filled by channel init is applied");
            assertTrue(channel.start());
            channel.stop();

            InOrder order = inOrder(miniport);
            order.verify(miniport).channelInit(eq(channel), any());
            order.verify(miniport).control(extension, ControlAction.START_CHANNEL);
            order.verify(miniport).initialize(extension);
            order.verify(miniport).control(extension, ControlAction.STOP_CHANNEL);
            assertEquals(Map.of("channelInit", Irql.PASSIVE, "control START_CHANNEL", Irql.PASSIVE,
                    "initialize", Irql.DIRQL, "control STOP_CHANNEL", Irql.PASSIVE), levels);
        }
    }

    private static void assertSeen(Seen s, Irql irql, Thread thread, boolean interruptLock, boolean channelLock) {
        assertEquals(irql, s.irql());
        assertSame(thread, s.thread());
        assertEquals(interruptLock, s.interruptLock(), "interrupt lock");
        assertEquals(channelLock, s.channelLock(), "channel lock");
    }
}
