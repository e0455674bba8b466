package io.jahci.ataport;

import static io.jahci.ataport.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A port-layer defect on a port thread is a recorded failure, never a thread that ends in silence. */
class PortThreadFailureTest {

    @Test
    @DisplayName("A task that throws on a DISPATCH worker is recorded as a failure; the worker, back at DISPATCH, runs the next task")
    void aThrowingTaskIsRecordedAndTheWorkerGoesOn() throws Exception {
        IllegalStateException defect = new IllegalStateException("a defect in a task");
        try (Fixture f = new Fixture(new PortDriverOptions().dispatchThreads(1))) {
            f.expectedFailures.add(IllegalStateException.class);
            AtomicReference<Thread> thrownOn = new AtomicReference<>();
            f.port.dispatch(new Task() {
                @Override
                void run() {
                    thrownOn.set(Thread.currentThread());
                    Levels.raise(Irql.DIRQL); // left raised by the failure
                    throw defect;
                }
            });
            CountDownLatch after = new CountDownLatch(1);
            AtomicReference<Object[]> seen = new AtomicReference<>();
            f.port.dispatch(new Task() {
                @Override
                void run() {
                    seen.set(new Object[] {Thread.currentThread(), Irql.current()});
                    after.countDown();
                }
            });
            await(after, "the task after the failing one");
            assertSame(thrownOn.get(), seen.get()[0], "the one worker thread ran both tasks");
            assertEquals(Irql.DISPATCH, seen.get()[1], "its level was restored");
            assertEquals(1, f.port.failures().size());
            assertSame(defect, f.port.failures().get(0));
            assertTrue(thrownOn.get().isAlive());
        }
    }

    @Test
    @DisplayName("A DISPATCH task still queued when the port closes never runs: close records it as a failure instead of dropping it in silence")
    void closeRecordsTasksItDrops() throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().dispatchThreads(1))) {
            f.expectedFailures.add(IllegalStateException.class);
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            f.port.dispatch(new Task() {
                @Override
                void run() {
                    running.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            await(running, "the task that holds the one worker");
            java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
            f.port.dispatch(new Task() {
                @Override
                void run() {
                    ran.set(true);
                }
            });
            Thread closer = new Thread(f.port::close, "closer");
            closer.start();
            Fixture.awaitTrue(() -> !f.port.failures().isEmpty(), "close's report of the queued task");
            release.countDown();
            closer.join(TimeUnit.SECONDS.toMillis(Fixture.WAIT_SECONDS));
            assertTrue(!closer.isAlive(), "close returned");
            assertTrue(f.port.failures().get(0).getMessage().startsWith("1 DISPATCH task(s) were still queued"),
                    f.port.failures().get(0).getMessage());
            assertTrue(!ran.get(), "the dropped task did not run after close");
        }
    }
}
