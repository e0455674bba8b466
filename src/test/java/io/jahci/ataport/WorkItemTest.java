package io.jahci.ataport;

import static io.jahci.ataport.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

class WorkItemTest {

    @Test
    @DisplayName("Work items: with the default options a callback that blocks does not stall another's: B's callback runs while A's waits for it")
    void aBlockedCallbackLeavesAThreadForAnother() throws Exception {
        try (Fixture f = new Fixture()) {
            Worker a = f.port.initializeWorker();
            Worker b = f.port.initializeWorker();
            CountDownLatch bRan = new CountDownLatch(1);
            AtomicReference<Boolean> aSawB = new AtomicReference<>();
            CountDownLatch aDone = new CountDownLatch(1);
            f.port.queueWorkItem(a, (d, c, w) -> {
                f.port.queueWorkItem(b, (d2, c2, w2) -> bRan.countDown(), null);
                try {
                    aSawB.set(bRan.await(Fixture.WAIT_SECONDS, TimeUnit.SECONDS)); // A blocks, as a recovery polling a link
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                aDone.countDown();
            }, null);
            assertTrue(aDone.await(2 * Fixture.WAIT_SECONDS, TimeUnit.SECONDS), "A's callback returned");
            assertEquals(Boolean.TRUE, aSawB.get(), "B's callback ran while A's was blocked");
            f.port.freeWorkerWhenIdle(a, Fixture.WAIT_SECONDS, TimeUnit.SECONDS);
            f.port.freeWorkerWhenIdle(b, Fixture.WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("S12: a work item callback receives the device extension, the queued context and the worker handle")
    void callbackReceivesItsArguments() throws Exception {
        try (Fixture f = new Fixture()) {
            Worker worker = f.port.initializeWorker();
            Object context = new Object();
            AtomicReference<Object[]> got = new AtomicReference<>();
            CountDownLatch ran = new CountDownLatch(1);
            f.port.queueWorkItem(worker, (device, ctx, w) -> {
                got.set(new Object[] {device, ctx, w});
                ran.countDown();
            }, context);
            await(ran, "the work item");
            assertSame(f.deviceExtension, got.get()[0]);
            assertSame(context, got.get()[1]);
            assertSame(worker, got.get()[2]);
            f.port.freeWorkerWhenIdle(worker, Fixture.WAIT_SECONDS, TimeUnit.SECONDS); // its callback may not have returned yet
        }
    }

    @Test
    @DisplayName("S13: a work item re-queues itself from its callback with the same worker, then frees it; a freed worker cannot be queued")
    void requeueFromCallbackThenFree() throws Exception {
        try (Fixture f = new Fixture()) {
            Worker worker = f.port.initializeWorker();
            List<Object> contexts = new CopyOnWriteArrayList<>();
            List<Worker.State> statesInCallback = new CopyOnWriteArrayList<>();
            CountDownLatch freed = new CountDownLatch(1);
            WorkItemCallback<Object> callback = new WorkItemCallback<>() {
                @Override
                public void run(Object device, Object context, Worker w) {
                    contexts.add(context);
                    statesInCallback.add(w.state());
                    if (contexts.size() < 3) {
                        f.port.queueWorkItem(w, this, "run " + (contexts.size() + 1));
                        statesInCallback.add(w.state());
                    } else {
                        f.port.freeWorker(w);
                        freed.countDown();
                    }
                }
            };
            f.port.queueWorkItem(worker, callback, "run 1");
            await(freed, "the third run to free the worker");
            assertEquals(List.of("run 1", "run 2", "run 3"), contexts);
            assertEquals(List.of(Worker.State.RUNNING, Worker.State.REQUEUED, Worker.State.RUNNING,
                    Worker.State.REQUEUED, Worker.State.RUNNING), statesInCallback);
            Fixture.awaitTrue(() -> worker.state() == Worker.State.FREE, "the worker to be free");
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> f.port.queueWorkItem(worker, callback, "run 4"));
            assertTrue(e.getMessage().contains("QUEUE_FREED_WORKER"), e.getMessage());
        }
    }

    @Test
    @DisplayName("S14: the port holds no lock while a work item callback runs; the ISR and worker routines proceed while it blocks")
    void callbackHoldsNoPortLock() throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(true);
            CountDownLatch isrRan = new CountDownLatch(1);
            miniport.onInterrupt = ext -> {
                isrRan.countDown();
                return true;
            };
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            Worker worker = f.port.initializeWorker();
            AtomicBoolean heldLock = new AtomicBoolean(true);
            AtomicBoolean othersRanMeanwhile = new AtomicBoolean();
            CountDownLatch done = new CountDownLatch(1);
            f.port.queueWorkItem(worker, (device, ctx, w) -> {
                heldLock.set(channel.holdsChannelLock() || channel.holdsInterruptLock());
                CountDownLatch workerRoutineRan = new CountDownLatch(1);
                channel.requestWorkerRoutine(ext -> workerRoutineRan.countDown());
                f.source(0).fire();
                try {
                    othersRanMeanwhile.set(isrRan.await(Fixture.WAIT_SECONDS, TimeUnit.SECONDS)
                            && workerRoutineRan.await(Fixture.WAIT_SECONDS, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                done.countDown();
            }, null);
            await(done, "the work item");
            assertFalse(heldLock.get(), "a port lock was held in the callback");
            assertTrue(othersRanMeanwhile.get(), "the ISR and a worker routine ran while the callback waited");
        }
    }

    @Test
    @DisplayName("S15: a work item callback runs at PASSIVE on a work-item thread and may block, even in blocking port calls")
    void callbackRunsAtPassive() throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(false);
            miniport.onStartIo = (ext, request) -> {
                ext.channel.completeRequest(request, IoStatus.SUCCESS);
                return true;
            };
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            Worker worker = f.port.initializeWorker();
            AtomicReference<Irql> level = new AtomicReference<>();
            AtomicReference<String> thread = new AtomicReference<>();
            AtomicBoolean blockedAndCompleted = new AtomicBoolean();
            CountDownLatch done = new CountDownLatch(1);
            f.port.queueWorkItem(worker, (device, ctx, w) -> {
                level.set(Irql.current());
                thread.set(Thread.currentThread().getName());
                blockedAndCompleted.set(channel.submitAndWait(new IoRequest(null, null), Fixture.WAIT_SECONDS, TimeUnit.SECONDS));
                done.countDown();
            }, null);
            await(done, "the work item");
            assertEquals(Irql.PASSIVE, level.get());
            assertTrue(thread.get().startsWith("jahci-workitem-"), thread.get());
            assertTrue(blockedAndCompleted.get(), "submitAndWait from the callback completed");
            f.port.freeWorkerWhenIdle(worker, Fixture.WAIT_SECONDS, TimeUnit.SECONDS); // its callback may not have returned yet
            assertEquals(Worker.State.FREE, worker.state());
        }
    }
}
