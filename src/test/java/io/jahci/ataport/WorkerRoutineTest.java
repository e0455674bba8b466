package io.jahci.ataport;

import static io.jahci.ataport.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorkerRoutineTest {

    @Test
    @DisplayName("S1: a worker routine requested from the ISR returns at once and the routine runs later on a worker thread")
    void requestFromIsrDoesNotRunInline() throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(false);
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            CountDownLatch requestReturned = new CountDownLatch(1);
            CountDownLatch ran = new CountDownLatch(1);
            AtomicReference<Thread> isrThread = new AtomicReference<>();
            AtomicReference<Thread> routineThread = new AtomicReference<>();
            AtomicBoolean returnedBeforeRoutineFinished = new AtomicBoolean();
            AtomicBoolean once = new AtomicBoolean();
            ChannelRoutine<TestExt> routine = ext -> {
                routineThread.set(Thread.currentThread());
                try {
                    // Inline execution would wait here forever: the ISR counts down only after the request returned.
                    returnedBeforeRoutineFinished.set(requestReturned.await(Fixture.WAIT_SECONDS, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ran.countDown();
            };
            miniport.onInterrupt = ext -> {
                if (once.compareAndSet(false, true)) {
                    isrThread.set(Thread.currentThread());
                    ext.channel.requestWorkerRoutine(routine);
                    requestReturned.countDown();
                }
                return true;
            };

            f.source(0).fire();
            await(ran, "the worker routine requested by the ISR");

            assertTrue(returnedBeforeRoutineFinished.get(), "the request returned before the routine finished");
            assertNotSame(isrThread.get(), routineThread.get(), "routine ran on another thread than the ISR");
            assertTrue(isrThread.get().getName().startsWith("jahci-irq-"), isrThread.get().getName());
            assertTrue(routineThread.get().getName().startsWith("jahci-dispatch-"), routineThread.get().getName());
        }
    }

    @Test
    @DisplayName("S1: a worker routine can be requested from PASSIVE, DISPATCH and DIRQL contexts and always runs on a worker thread")
    void requestFromEveryContext() throws Exception {
        try (Fixture f = new Fixture()) {
            Channel<TestExt> channel = f.startChannel(new TestMiniport(false), f.newSource());
            List<String> ranOn = new CopyOnWriteArrayList<>();
            List<Irql> requestedAt = new CopyOnWriteArrayList<>();
            CountDownLatch ran = new CountDownLatch(3);
            ChannelRoutine<TestExt> target = ext -> {
                ranOn.add(Thread.currentThread().getName());
                ran.countDown();
            };
            requestedAt.add(Irql.current());
            channel.requestWorkerRoutine(target); // PASSIVE: the test thread
            channel.requestSynchronizedRoutine(ext -> { // DIRQL: a synchronized routine
                requestedAt.add(Irql.current());
                ext.channel.requestWorkerRoutine(target);
            });
            channel.requestWorkerRoutine(ext -> { // DISPATCH: another worker routine
                requestedAt.add(Irql.current());
                ext.channel.requestWorkerRoutine(target);
            });
            await(ran, "three worker routines");
            assertEquals(List.of(Irql.PASSIVE, Irql.DIRQL, Irql.DISPATCH), requestedAt);
            ranOn.forEach(name -> assertTrue(name.startsWith("jahci-dispatch-"), name));
        }
    }

    @ParameterizedTest(name = "SyncWithIsr={0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("S2: the ISR runs while a worker routine of the same channel is blocked mid-way")
    void isrOverlapsWorkerRoutine(boolean syncWithIsr) throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(syncWithIsr);
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            CountDownLatch workerInside = new CountDownLatch(1);
            CountDownLatch isrRan = new CountDownLatch(1);
            CountDownLatch workerDone = new CountDownLatch(1);
            AtomicBoolean inWorker = new AtomicBoolean();
            AtomicBoolean isrSawWorkerInside = new AtomicBoolean();
            AtomicBoolean workerSawIsr = new AtomicBoolean();
            miniport.onInterrupt = ext -> {
                isrSawWorkerInside.set(inWorker.get());
                isrRan.countDown();
                return true;
            };
            channel.requestWorkerRoutine(ext -> {
                inWorker.set(true);
                workerInside.countDown();
                try {
                    workerSawIsr.set(isrRan.await(Fixture.WAIT_SECONDS, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inWorker.set(false);
                workerDone.countDown();
            });
            await(workerInside, "the worker routine to start");
            f.source(0).fire();
            await(workerDone, "the worker routine to finish");
            assertTrue(workerSawIsr.get(), "the ISR ran while the worker routine waited");
            assertTrue(isrSawWorkerInside.get(), "the ISR saw the worker routine inside");
        }
    }

    @Test
    @DisplayName("S3: the worker routine receives the channel extension of the channel it was requested on")
    void workerRoutineGetsChannelExtension() throws Exception {
        try (Fixture f = new Fixture()) {
            InterruptConnection irq = f.newSource();
            Channel<TestExt> first = f.startChannel(new TestMiniport(false), irq);
            Channel<TestExt> second = f.startChannel(new TestMiniport(false), irq);
            AtomicReference<TestExt> got1 = new AtomicReference<>();
            AtomicReference<TestExt> got2 = new AtomicReference<>();
            CountDownLatch ran = new CountDownLatch(2);
            first.requestWorkerRoutine(ext -> {
                got1.set(ext);
                ran.countDown();
            });
            second.requestWorkerRoutine(ext -> {
                got2.set(ext);
                ran.countDown();
            });
            await(ran, "both worker routines");
            assertSame(first.extension(), got1.get());
            assertSame(second.extension(), got2.get());
            assertNotSame(got1.get(), got2.get());
        }
    }

    @ParameterizedTest(name = "SyncWithIsr={0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("S4: a worker routine runs at DISPATCH on a port worker thread, holding the channel lock but not the interrupt lock")
    void workerRoutineRunsAtDispatch(boolean syncWithIsr) throws Exception {
        try (Fixture f = new Fixture()) {
            Channel<TestExt> channel = f.startChannel(new TestMiniport(syncWithIsr), f.newSource());
            AtomicReference<Seen> seen = new AtomicReference<>();
            CountDownLatch ran = new CountDownLatch(1);
            channel.requestWorkerRoutine(ext -> {
                seen.set(Seen.now(channel, ext));
                ran.countDown();
            });
            await(ran, "the worker routine");
            assertEquals(Irql.DISPATCH, seen.get().irql());
            assertTrue(seen.get().onPortThread("jahci-dispatch-"), seen.get().thread().getName());
            assertFalse(seen.get().interruptLock(), "interrupt lock held");
            assertTrue(seen.get().channelLock(), "channel lock held");
        }
    }

    @Test
    @DisplayName("A channel queues up to workerRoutineQueueDepth worker routines besides the running one; one more is refused naming the option, and the queued ones still run")
    void fullWorkerRoutineQueueIsRefused() throws Exception {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new PortDriverOptions().workerRoutineQueueDepth(0));
        assertEquals("workerRoutineQueueDepth must be at least 1: 0", bad.getMessage());
        try (Fixture f = new Fixture(new PortDriverOptions().workerRoutineQueueDepth(1))) {
            Channel<TestExt> channel = f.startChannel(new TestMiniport(false), f.newSource());
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch letGo = new CountDownLatch(1);
            List<String> ran = new CopyOnWriteArrayList<>();
            channel.requestWorkerRoutine(ext -> {
                inside.countDown();
                try {
                    letGo.await(Fixture.WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ran.add("first");
            });
            await(inside, "the first routine to run");
            channel.requestWorkerRoutine(ext -> ran.add("queued"));
            IllegalStateException full = assertThrows(IllegalStateException.class,
                    () -> channel.requestWorkerRoutine(ext -> ran.add("refused")));
            assertTrue(full.getMessage().contains("is full (1 pending); raise PortDriverOptions.workerRoutineQueueDepth"),
                    full.getMessage());
            letGo.countDown();
            Fixture.awaitTrue(() -> ran.size() == 2, "the running and the queued routine");
            assertEquals(List.of("first", "queued"), ran);
        }
    }
}
