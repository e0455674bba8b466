package io.jahci.ataport;

import static io.jahci.ataport.Fixture.await;
import static io.jahci.ataport.Misuse.assertViolation;
import static io.jahci.ataport.Misuse.thrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The work-item rules (the state machine in {@link WorkItems}), verifier on or off. */
class WorkItemRulesTest {
    private static final WorkItemCallback<Object> NOTHING = (d, c, w) -> { };

    @ParameterizedTest(name = "verifier {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Verifier: queuing a freed worker is QUEUE_FREED_WORKER, verifier on or off")
    void queueFreedWorker(boolean verifier) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(verifier))) {
            Worker worker = f.port.initializeWorker();
            f.port.freeWorker(worker);
            assertViolation(thrownBy(() -> f.port.queueWorkItem(worker, NOTHING, null)),
                    VerifierException.Rule.QUEUE_FREED_WORKER, "PortDriver.queueWorkItem(worker 0)", "worker IDLE or RUNNING",
                    "worker FREE", Thread.currentThread().getName());
            assertEquals(Worker.State.FREE, worker.state());
        }
    }

    @ParameterizedTest(name = "verifier {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Verifier: queuing a worker that is queued and not yet started is QUEUE_QUEUED_WORKER, verifier on or off")
    void queueQueuedWorker(boolean verifier) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(verifier).workItemThreads(1))) {
            CountDownLatch blocking = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Worker blocker = f.port.initializeWorker();
            f.port.queueWorkItem(blocker, (d, c, w) -> {
                blocking.countDown();
                try {
                    release.await(Fixture.WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, null);
            await(blocking, "the work-item thread to be busy");
            Worker worker = f.port.initializeWorker();
            List<Object> ran = new CopyOnWriteArrayList<>();
            f.port.queueWorkItem(worker, (d, c, w) -> ran.add(c), "first");
            assertViolation(thrownBy(() -> f.port.queueWorkItem(worker, NOTHING, "second")),
                    VerifierException.Rule.QUEUE_QUEUED_WORKER, "PortDriver.queueWorkItem(worker 1)", "worker IDLE or RUNNING",
                    "worker QUEUED", Thread.currentThread().getName());
            release.countDown();
            f.port.freeWorkerWhenIdle(worker, Fixture.WAIT_SECONDS, TimeUnit.SECONDS); // the first queuing ran
            assertEquals(List.of("first"), ran, "the refused queuing replaced nothing");
            f.port.freeWorkerWhenIdle(blocker, Fixture.WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "verifier {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Verifier: freeing a worker twice is FREE_FREED_WORKER, verifier on or off")
    void doubleFree(boolean verifier) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(verifier))) {
            Worker worker = f.port.initializeWorker();
            f.port.freeWorker(worker);
            assertViolation(thrownBy(() -> f.port.freeWorker(worker)), VerifierException.Rule.FREE_FREED_WORKER,
                    "PortDriver.freeWorker(worker 0)", "worker not FREE", "worker FREE", Thread.currentThread().getName());
        }
    }

    @ParameterizedTest(name = "verifier {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Verifier: a callback that queued its own worker again and then frees it is FREE_REQUEUED_WORKER; the worker still runs again and can be freed there")
    void freeAfterRequeue(boolean verifier) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(verifier))) {
            Worker worker = f.port.initializeWorker();
            List<Throwable> thrown = new CopyOnWriteArrayList<>();
            CountDownLatch freed = new CountDownLatch(1);
            WorkItemCallback<Object> callback = new WorkItemCallback<>() {
                @Override
                public void run(Object device, Object context, Worker w) {
                    if ("first".equals(context)) {
                        f.port.queueWorkItem(w, this, "second");
                        thrown.add(thrownBy(() -> f.port.freeWorker(w)));
                    } else {
                        f.port.freeWorker(w);
                        freed.countDown();
                    }
                }
            };
            f.port.queueWorkItem(worker, callback, "first");
            await(freed, "the second run to free the worker");
            assertEquals(1, thrown.size());
            assertViolation(thrown.get(0), VerifierException.Rule.FREE_REQUEUED_WORKER,
                    "PortDriver.freeWorker(worker 0) from its own callback", "worker RUNNING", "worker REQUEUED",
                    "jahci-workitem-");
            Fixture.awaitTrue(() -> worker.state() == Worker.State.FREE, "the worker to be free");
        }
    }
}
