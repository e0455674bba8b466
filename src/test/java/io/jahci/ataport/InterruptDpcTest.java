package io.jahci.ataport;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.jahci.ataport.Fixture.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Completions run on the interrupt thread after the ISR, at DISPATCH, without the interrupt lock
 * (a DPC on the interrupted CPU); worker routines still go to the DISPATCH workers, so the ISR
 * runs while one runs (S2).
 */
class InterruptDpcTest {
    @ParameterizedTest(name = "SyncWithIsr={0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("A completion the ISR queued runs next on the interrupt thread, at DISPATCH, without the interrupt lock")
    void completionRunsOnTheInterruptThreadAfterTheIsr(boolean syncWithIsr) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().completionMode(CompletionMode.INTERRUPT))) {
            TestMiniport miniport = new TestMiniport(syncWithIsr);
            AtomicReference<IoRequest> inFlight = new AtomicReference<>();
            miniport.onStartIo = (ext, r) -> inFlight.compareAndSet(null, r);
            miniport.onInterrupt = ext -> {
                IoRequest r = inFlight.getAndSet(null);
                if (r != null) {
                    ext.channel.completeRequest(r, IoStatus.SUCCESS);
                }
                return true;
            };
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            AtomicReference<String> thread = new AtomicReference<>();
            AtomicReference<Irql> level = new AtomicReference<>();
            AtomicBoolean heldInterruptLock = new AtomicBoolean(true);
            CountDownLatch done = new CountDownLatch(1);
            IoRequest request = new IoRequest(null, r -> {
                thread.set(Thread.currentThread().getName());
                level.set(Irql.current());
                heldInterruptLock.set(channel.holdsInterruptLock());
                done.countDown();
            });
            channel.submit(request);
            long rearms = f.source(0).rearms.get();
            f.source(0).fire();
            await(done, "the completion");
            assertEquals("jahci-irq-0", thread.get());
            assertEquals(Irql.DISPATCH, level.get());
            assertTrue(f.source(0).rearms.get() > rearms, "the source was rearmed after the ISR, before the completion ran");
            assertFalse(heldInterruptLock.get(), "the completion runs without the interrupt lock");
        }
    }

    @Test
    @DisplayName("S2: with completions on the interrupt thread, the ISR runs again while a worker routine that an ISR requested is blocked")
    void workerRoutineRequestedWithACompletionLeavesTheInterruptThreadFree() throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().completionMode(CompletionMode.INTERRUPT))) {
            TestMiniport miniport = new TestMiniport(false);
            AtomicReference<IoRequest> inFlight = new AtomicReference<>();
            AtomicInteger isrRuns = new AtomicInteger();
            CountDownLatch workerInside = new CountDownLatch(1);
            CountDownLatch secondIsr = new CountDownLatch(1);
            AtomicBoolean workerSawSecondIsr = new AtomicBoolean();
            AtomicReference<String> workerThread = new AtomicReference<>();
            AtomicReference<String> secondIsrThread = new AtomicReference<>();
            miniport.onStartIo = (ext, r) -> inFlight.compareAndSet(null, r);
            miniport.onInterrupt = ext -> {
                if (isrRuns.incrementAndGet() == 1) {
                    ext.channel.requestWorkerRoutine(x -> {
                        workerThread.set(Thread.currentThread().getName());
                        workerInside.countDown();
                        try {
                            workerSawSecondIsr.set(secondIsr.await(Fixture.WAIT_SECONDS, TimeUnit.SECONDS));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                    ext.channel.completeRequest(inFlight.getAndSet(null), IoStatus.SUCCESS);
                } else {
                    secondIsrThread.set(Thread.currentThread().getName());
                    secondIsr.countDown();
                }
                return true;
            };
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            CountDownLatch completed = new CountDownLatch(1);
            channel.submit(new IoRequest(null, r -> completed.countDown()));
            f.source(0).fire();
            await(workerInside, "the worker routine the ISR requested");
            await(completed, "the completion the ISR queued");
            f.source(0).fire();
            await(secondIsr, "the second ISR");
            assertTrue(workerThread.get().startsWith("jahci-dispatch-"), workerThread.get());
            assertEquals("jahci-irq-0", secondIsrThread.get());
            Fixture.awaitTrue(workerSawSecondIsr::get, "the worker routine to see the second ISR while inside");
        }
    }
}
