package io.jahci.ataport;

import static io.jahci.ataport.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class VerifierTest {
    private static final WorkItemCallback<Object> NOTHING = (d, c, w) -> { };

    /** Runs {@code misuse} inside the ISR and returns what it threw. */
    private static Throwable thrownInIsr(Fixture f, Consumer<TestExt> misuse) throws Exception {
        TestMiniport miniport = new TestMiniport(false);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        miniport.onInterrupt = ext -> {
            try {
                misuse.accept(ext);
            } catch (Throwable t) {
                thrown.set(t);
            }
            ran.countDown();
            return true;
        };
        f.startChannel(miniport, f.newSource());
        f.source(0).fire();
        await(ran, "the ISR");
        return thrown.get();
    }

    /** Runs {@code misuse} inside a worker routine and returns what it threw. */
    private static Throwable thrownInWorkerRoutine(Channel<TestExt> channel, Consumer<TestExt> misuse) throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        channel.requestWorkerRoutine(ext -> {
            try {
                misuse.accept(ext);
            } catch (Throwable t) {
                thrown.set(t);
            }
            ran.countDown();
        });
        await(ran, "the worker routine");
        return thrown.get();
    }

    private static VerifierException assertViolation(Throwable thrown, VerifierException.Rule rule, String routine,
            String expected, String actual, String threadPrefix) {
        VerifierException e = assertInstanceOf(VerifierException.class, thrown);
        assertEquals(rule, e.rule());
        assertEquals(routine, e.routine());
        assertEquals(expected, e.expected());
        assertEquals(actual, e.actual());
        assertTrue(e.thread().startsWith(threadPrefix), e.thread());
        assertTrue(e.getMessage().startsWith("jahci verifier: " + rule + " in " + routine + ": expected " + expected
                + ", actual " + actual + " on thread " + threadPrefix), e.getMessage());
        return e;
    }

    @Test
    @DisplayName("Verifier: queuing a work item from the ISR (DIRQL) is WRONG_LEVEL")
    void wrongLevelFromIsr() throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(true))) {
            Worker worker = f.port.initializeWorker();
            Throwable thrown = thrownInIsr(f, ext -> f.port.queueWorkItem(worker, NOTHING, null));
            assertViolation(thrown, VerifierException.Rule.WRONG_LEVEL, "PortDriver.queueWorkItem", "<= DISPATCH", "DIRQL",
                    "jahci-irq-0");
            assertEquals(Worker.State.IDLE, worker.state(), "the rejected call changed nothing");
        }
    }

    @Test
    @DisplayName("Verifier: submitting from a synchronized routine (DIRQL) is WRONG_LEVEL")
    void wrongLevelSubmitAtDirql() throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(true))) {
            Channel<TestExt> channel = f.startChannel(new TestMiniport(false), f.newSource());
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            channel.requestSynchronizedRoutine(ext -> {
                try {
                    ext.channel.submit(new IoRequest(null, null));
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            assertViolation(thrown.get(), VerifierException.Rule.WRONG_LEVEL, "Channel.submit", "<= DISPATCH", "DIRQL",
                    Thread.currentThread().getName());
        }
    }

    @Test
    @DisplayName("Verifier: blocking port calls (submitAndWait, freeWorker, stop) at DISPATCH or DIRQL are BLOCKING_CALL_AT_RAISED_LEVEL")
    void blockingCallsAtRaisedLevel() throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(true))) {
            Channel<TestExt> channel = f.startChannel(new TestMiniport(false), f.newSource());
            Worker worker = f.port.initializeWorker();
            assertViolation(thrownInWorkerRoutine(channel, ext -> ext.channel.submitAndWait(new IoRequest(null, null), 1,
                    TimeUnit.SECONDS)), VerifierException.Rule.BLOCKING_CALL_AT_RAISED_LEVEL, "Channel.submitAndWait",
                    "PASSIVE", "DISPATCH", "jahci-dispatch-");
            assertViolation(thrownInWorkerRoutine(channel, ext -> f.port.freeWorker(worker)),
                    VerifierException.Rule.BLOCKING_CALL_AT_RAISED_LEVEL, "PortDriver.freeWorker", "PASSIVE", "DISPATCH",
                    "jahci-dispatch-");
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            channel.requestSynchronizedRoutine(ext -> {
                try {
                    ext.channel.stop();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            assertViolation(thrown.get(), VerifierException.Rule.BLOCKING_CALL_AT_RAISED_LEVEL, "Channel.stop", "PASSIVE",
                    "DIRQL", Thread.currentThread().getName());
            assertTrue(channel.isStarted(), "the rejected stop changed nothing");
            f.port.freeWorker(worker);
        }
    }

    @Test
    @DisplayName("Verifier: queuing a freed worker is QUEUE_FREED_WORKER; with the verifier off it is still an IllegalStateException")
    void queueFreedWorker() throws Exception {
        for (boolean verifier : new boolean[] {true, false}) {
            try (Fixture f = new Fixture(new PortDriverOptions().verifier(verifier))) {
                Worker worker = f.port.initializeWorker();
                f.port.freeWorker(worker);
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> f.port.queueWorkItem(worker, NOTHING, null));
                assertTrue(e.getMessage().contains("QUEUE_FREED_WORKER in PortDriver.queueWorkItem(worker 0): expected worker"
                        + " IDLE or RUNNING, actual worker FREE"), e.getMessage());
                assertEquals(verifier, e instanceof VerifierException, "exception type with verifier " + verifier);
            }
        }
    }

    @Test
    @DisplayName("Verifier: queuing a worker that is queued and not yet started is QUEUE_QUEUED_WORKER, verifier on or off")
    void queueQueuedWorker() throws Exception {
        for (boolean verifier : new boolean[] {true, false}) {
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
                f.port.queueWorkItem(worker, NOTHING, "first");
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> f.port.queueWorkItem(worker, NOTHING, "second"));
                assertTrue(e.getMessage().contains("QUEUE_QUEUED_WORKER in PortDriver.queueWorkItem(worker 1): expected worker"
                        + " IDLE or RUNNING, actual worker QUEUED"), e.getMessage());
                assertEquals(verifier, e instanceof VerifierException);
                release.countDown();
                f.port.freeWorker(worker); // waits until the first queuing ran
                f.port.freeWorker(blocker);
            }
        }
    }

    @Test
    @DisplayName("Verifier: an ISR over its budget is a recorded warning, not an exception")
    void isrOverBudgetWarns() throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(true).isrBudget(1, TimeUnit.MILLISECONDS))) {
            Throwable thrown = thrownInIsr(f, ext -> {
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            });
            assertNull(thrown);
            Fixture.awaitTrue(() -> !f.port.verifier().warnings().isEmpty(), "the warning");
            VerifierWarning w = f.port.verifier().warnings().get(0);
            assertEquals("IdeHwInterrupt of channel 0", w.routine());
            assertTrue(w.durationNanos() >= TimeUnit.MILLISECONDS.toNanos(5));
            assertTrue(w.thread().startsWith("jahci-irq-"));
            assertTrue(w.toString().startsWith("jahci verifier: ISR_OVER_BUDGET in IdeHwInterrupt of channel 0: ran "),
                    w.toString());
            assertEquals(List.of(), f.port.failures());
        }
    }

    @Test
    @DisplayName("Verifier off: level rules are not checked (the system property turns it on for tests)")
    void verifierOffChecksNoLevels() throws Exception {
        assertTrue(Boolean.getBoolean("jahci.verifier"), "surefire sets jahci.verifier=true");
        try (Fixture f = new Fixture()) {
            assertTrue(f.port.verifier().enabled(), "the default follows the system property");
        }
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(false))) {
            Worker worker = f.port.initializeWorker();
            CountDownLatch ran = new CountDownLatch(1);
            assertNull(thrownInIsr(f, ext -> f.port.queueWorkItem(worker, (d, c, w) -> ran.countDown(), null)));
            await(ran, "the work item queued from the ISR");
            assertFalse(f.port.verifier().enabled());
            f.port.freeWorker(worker);
        }
    }
}
