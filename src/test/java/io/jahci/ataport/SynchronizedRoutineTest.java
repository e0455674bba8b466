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
    @DisplayName("S5: a synchronized routine runs at DIRQL under the interrupt lock and the ISR cannot run meanwhile")
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
            ChannelRoutine<TestExt> holdWhileInterrupting = ext -> {
                seen.add(Seen.now(channel, ext));
                inSynchronized.set(true);
                long before = isrCalls.get();
                f.source(0).fire();
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(30);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                assertEquals(before, isrCalls.get(), "the ISR ran inside the synchronized routine");
                inSynchronized.set(false);
            };

            channel.requestSynchronizedRoutine(holdWhileInterrupting); // from PASSIVE
            awaitTrue(() -> isrCalls.get() == 1, "the interrupt held off by the synchronized routine");
            CountDownLatch fromWorker = new CountDownLatch(1);
            channel.requestWorkerRoutine(ext -> { // from DISPATCH
                ext.channel.requestSynchronizedRoutine(holdWhileInterrupting);
                fromWorker.countDown();
            });
            await(fromWorker, "the synchronized routine requested by a worker routine");
            awaitTrue(() -> isrCalls.get() == 2, "the second interrupt");

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

    @Test
    @DisplayName("S7: an unsynchronized BuildIo updates data shared with the ISR through synchronized routines without losing updates")
    void buildIoUpdatesSharedDataThroughSynchronizedRoutine() throws Exception {
        int submitters = 3;
        int perSubmitter = 1500;
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(false);
            miniport.recordInterrupts = false;
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            ChannelRoutine<TestExt> increment = ext -> ext.shared++;
            AtomicBoolean buildIoLocked = new AtomicBoolean();
            miniport.onBuildIo = (ext, request) -> {
                buildIoLocked.compareAndSet(false, channel.holdsChannelLock() || channel.holdsInterruptLock());
                ext.channel.requestSynchronizedRoutine(increment);
                ext.channel.completeRequest(request, IoStatus.SUCCESS);
                return false;
            };
            miniport.onInterrupt = ext -> {
                ext.shared++;
                ext.isrCalls++;
                return true;
            };
            AtomicBoolean firing = new AtomicBoolean(true);
            Thread interrupter = new Thread(() -> {
                while (firing.get()) {
                    f.source(0).fire();
                    Thread.yield();
                }
            });
            interrupter.start();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < submitters; t++) {
                Thread thread = new Thread(() -> {
                    IoRequest request = new IoRequest(null, null);
                    for (int i = 0; i < perSubmitter; i++) {
                        assertTrue(channel.submitAndWait(request, Fixture.WAIT_SECONDS, TimeUnit.SECONDS));
                    }
                });
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(20));
                assertFalse(thread.isAlive(), "submitter finished");
            }
            firing.set(false);
            interrupter.join();

            long[] snapshot = new long[2];
            channel.requestSynchronizedRoutine(ext -> {
                snapshot[0] = ext.shared;
                snapshot[1] = ext.isrCalls;
            });
            assertTrue(snapshot[1] > 0, "interrupts fired during the run");
            assertEquals((long) submitters * perSubmitter + snapshot[1], snapshot[0], "updates lost");
            assertFalse(buildIoLocked.get(), "BuildIo ran holding a port lock");
        }
    }
}
