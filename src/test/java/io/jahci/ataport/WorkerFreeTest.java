package io.jahci.ataport;

import static io.jahci.ataport.Fixture.await;
import static io.jahci.ataport.Misuse.assertViolation;
import static io.jahci.ataport.Misuse.thrownBy;
import static io.jahci.ataport.Misuse.thrownInWorkerRoutine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * StorPortFreeWorker never waits: a queued or running worker is BUSY at once (Storport's
 * STOR_STATUS_BUSY), so no free can hang; the bounded wait is a separate call. Verifier on or off.
 */
class WorkerFreeTest {
    private static final WorkItemCallback<Object> NOTHING = (d, c, w) -> { };

    @ParameterizedTest(name = "verifier {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Work items: a callback that frees a worker queued behind it on the only work-item thread gets BUSY at once (it would wait for itself); the worker runs next and is freed then")
    void freeingAWorkerQueuedBehindTheCallerIsBusy(boolean verifier) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(verifier).workItemThreads(1))) {
            Worker a = f.port.initializeWorker();
            Worker b = f.port.initializeWorker();
            CountDownLatch bQueued = new CountDownLatch(1);
            AtomicReference<Object> freeInA = new AtomicReference<>();
            AtomicReference<Worker.State> bStateInA = new AtomicReference<>();
            CountDownLatch aDone = new CountDownLatch(1);
            CountDownLatch bRan = new CountDownLatch(1);
            f.port.queueWorkItem(a, (d, c, w) -> {
                awaitQuietly(bQueued);
                Throwable t = thrownBy(() -> freeInA.set(f.port.freeWorker(b)));
                if (t != null) {
                    freeInA.set(t);
                }
                bStateInA.set(b.state());
                aDone.countDown();
            }, null);
            f.port.queueWorkItem(b, (d, c, w) -> bRan.countDown(), null);
            bQueued.countDown();
            await(aDone, "A's callback to return from freeWorker(B)");
            assertEquals(Worker.FreeStatus.BUSY, freeInA.get());
            assertEquals(Worker.State.QUEUED, bStateInA.get(), "a BUSY free changes nothing");
            await(bRan, "B's callback after A's");
            Fixture.awaitTrue(() -> b.state() == Worker.State.IDLE, "B idle");
            assertEquals(Worker.FreeStatus.FREED, f.port.freeWorker(b));
            assertEquals(Worker.FreeStatus.FREED, f.port.freeWorker(a));
        }
    }

    @ParameterizedTest(name = "verifier {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Work items: two threads freeing a running worker at once both get BUSY while its callback still runs; afterwards one free succeeds and the next is FREE_FREED_WORKER")
    void concurrentFreesOfARunningWorker(boolean verifier) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(verifier))) {
            CountDownLatch release = new CountDownLatch(1);
            Worker worker = runningUntil(f, release);
            List<Object> results = new CopyOnWriteArrayList<>();
            Thread first = new Thread(() -> results.add(f.port.freeWorker(worker)), "free-1");
            Thread second = new Thread(() -> results.add(f.port.freeWorker(worker)), "free-2");
            first.start();
            second.start();
            first.join(TimeUnit.SECONDS.toMillis(Fixture.WAIT_SECONDS));
            second.join(TimeUnit.SECONDS.toMillis(Fixture.WAIT_SECONDS));
            assertEquals(List.of(Worker.FreeStatus.BUSY, Worker.FreeStatus.BUSY), results, "both frees returned while the callback ran");
            assertEquals(1, release.getCount(), "the callback was still inside");
            release.countDown();
            Fixture.awaitTrue(() -> worker.state() == Worker.State.IDLE, "the worker idle");
            assertEquals(Worker.FreeStatus.FREED, f.port.freeWorker(worker));
            assertViolation(thrownBy(() -> f.port.freeWorker(worker)), VerifierException.Rule.FREE_FREED_WORKER,
                    "PortDriver.freeWorker(worker 0)", "worker not FREE", "worker FREE", Thread.currentThread().getName());
        }
    }

    @ParameterizedTest(name = "verifier {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Work items: freeWorkerWhenIdle waits, bounded, for a running worker: two concurrent callers both return once it is idle (one frees it, the other is FREE_FREED_WORKER), and the wait fails at its bound")
    void freeWhenIdleIsBounded(boolean verifier) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(verifier))) {
            CountDownLatch release = new CountDownLatch(1);
            Worker worker = runningUntil(f, release);
            IllegalStateException timedOut = assertInstanceOf(IllegalStateException.class,
                    thrownBy(() -> f.port.freeWorkerWhenIdle(worker, 10, TimeUnit.MILLISECONDS)));
            assertTrue(timedOut.getMessage().contains("worker 0 still RUNNING after 10 ms"), timedOut.getMessage());
            List<String> results = new CopyOnWriteArrayList<>();
            // The callers' own bound is far beyond the join's: they return because the callback's end wakes them.
            Runnable free = () -> results.add(String.valueOf(thrownBy(
                    () -> f.port.freeWorkerWhenIdle(worker, 60, TimeUnit.SECONDS))));
            Thread first = new Thread(free, "free-1");
            Thread second = new Thread(free, "free-2");
            first.start();
            second.start();
            Fixture.awaitTrue(() -> first.getState() == Thread.State.TIMED_WAITING
                    && second.getState() == Thread.State.TIMED_WAITING, "both callers waiting");
            release.countDown();
            first.join(TimeUnit.SECONDS.toMillis(Fixture.WAIT_SECONDS));
            second.join(TimeUnit.SECONDS.toMillis(Fixture.WAIT_SECONDS));
            assertEquals(2, results.size(), "both callers returned once the callback ended: " + results);
            assertTrue(results.contains("null"), "one freed it: " + results);
            assertTrue(results.stream().anyMatch(r -> r.contains("FREE_FREED_WORKER")), "the other was a double free: " + results);
            assertEquals(Worker.State.FREE, worker.state());
        }
    }

    @ParameterizedTest(name = "verifier {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Work items: after close() a worker left queued never runs, so freeing it succeeds at once and close() wakes a freeWorkerWhenIdle waiting for one; queuing a work item on a closed port is an error")
    void freeAfterClose(boolean verifier) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(verifier).workItemThreads(1)
                .shutdownTimeout(100, TimeUnit.MILLISECONDS))) {
            Worker blocker = f.port.initializeWorker();
            Worker queued = f.port.initializeWorker();
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<Worker.State> ranQueued = new AtomicReference<>();
            f.port.queueWorkItem(blocker, (d, c, w) -> {
                inside.countDown();
                awaitQuietly(release);
            }, null);
            f.port.queueWorkItem(queued, (d, c, w) -> ranQueued.set(w.state()), null);
            Worker awaited = f.port.initializeWorker();
            f.port.queueWorkItem(awaited, NOTHING, null);
            await(inside, "the blocker");
            AtomicReference<Throwable> awaitedFree = new AtomicReference<>(new AssertionError("not returned"));
            Thread waiter = new Thread(() -> awaitedFree.set(thrownBy(() -> f.port.freeWorkerWhenIdle(awaited, 60, TimeUnit.SECONDS))),
                    "free-when-idle");
            waiter.start();
            Fixture.awaitTrue(() -> waiter.getState() == Thread.State.TIMED_WAITING, "freeWorkerWhenIdle waiting");
            Throwable closing = thrownBy(f.port::close); // the blocker outlives the shutdown timeout
            assertInstanceOf(IllegalStateException.class, closing);
            waiter.join(TimeUnit.SECONDS.toMillis(Fixture.WAIT_SECONDS));
            assertNull(awaitedFree.get(), "close() woke the freeWorkerWhenIdle waiting for a queued worker, which it freed");
            assertEquals(Worker.State.FREE, awaited.state());
            assertEquals(Worker.State.QUEUED, queued.state());
            assertEquals(Worker.FreeStatus.FREED, f.port.freeWorker(queued), "a worker that can never run again");
            assertEquals(Worker.FreeStatus.BUSY, f.port.freeWorker(blocker), "its callback still runs");
            assertInstanceOf(IllegalStateException.class, thrownBy(() -> f.port.queueWorkItem(f.port.initializeWorker(), NOTHING, null)));
            release.countDown();
            f.port.freeWorkerWhenIdle(blocker, Fixture.WAIT_SECONDS, TimeUnit.SECONDS);
            assertNull(ranQueued.get(), "a worker queued at close ran");
        }
    }

    @ParameterizedTest(name = "verifier {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Verifier: freeWorker never waits, so it is allowed at DISPATCH (as StorPortFreeWorker) but WRONG_LEVEL at DIRQL; freeWorkerWhenIdle waits, so it is BLOCKING_CALL_AT_RAISED_LEVEL at DISPATCH")
    void levels(boolean verifier) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(verifier))) {
            Channel<TestExt> channel = f.startChannel(new TestMiniport(false), f.newSource());
            Worker worker = f.port.initializeWorker();
            assertViolation(thrownInWorkerRoutine(channel, ext -> f.port.freeWorkerWhenIdle(worker, 1, TimeUnit.SECONDS)),
                    VerifierException.Rule.BLOCKING_CALL_AT_RAISED_LEVEL, "PortDriver.freeWorkerWhenIdle", "PASSIVE", "DISPATCH",
                    "jahci-dispatch-");
            assertEquals(Worker.State.IDLE, worker.state());
            AtomicReference<Object> atDispatch = new AtomicReference<>();
            assertNull(thrownInWorkerRoutine(channel, ext -> atDispatch.set(f.port.freeWorker(worker))));
            assertEquals(Worker.FreeStatus.FREED, atDispatch.get());
            assertFalse(channel.holdsChannelLock());
            Worker other = f.port.initializeWorker();
            assertViolation(Misuse.thrownInSynchronizedRoutine(channel, ext -> f.port.freeWorker(other)),
                    VerifierException.Rule.WRONG_LEVEL, "PortDriver.freeWorker", "<= DISPATCH", "DIRQL",
                    Thread.currentThread().getName());
            assertViolation(Misuse.thrownInSynchronizedRoutine(channel, ext -> f.port.initializeWorker()),
                    VerifierException.Rule.WRONG_LEVEL, "PortDriver.initializeWorker", "<= DISPATCH", "DIRQL",
                    Thread.currentThread().getName());
            assertEquals(Worker.State.IDLE, other.state());
        }
    }

    /** A worker whose callback has begun and stays inside until {@code release} is counted down. */
    private static Worker runningUntil(Fixture f, CountDownLatch release) throws InterruptedException {
        Worker worker = f.port.initializeWorker();
        CountDownLatch inside = new CountDownLatch(1);
        f.port.queueWorkItem(worker, (d, c, w) -> {
            inside.countDown();
            awaitQuietly(release);
        }, null);
        await(inside, "the callback");
        return worker;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(Fixture.WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
