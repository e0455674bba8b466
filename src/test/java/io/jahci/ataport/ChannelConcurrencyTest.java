package io.jahci.ataport;

import static io.jahci.ataport.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ChannelConcurrencyTest {

    @Test
    @DisplayName("S11: on one channel StartIo waits while a worker routine runs: routines the table serializes never overlap")
    void startIoWaitsForWorkerRoutineOfSameChannel() throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(false);
            AtomicBoolean workerInside = new AtomicBoolean();
            AtomicBoolean startIoSawWorker = new AtomicBoolean();
            CountDownLatch startIoEntered = new CountDownLatch(1);
            miniport.onStartIo = (ext, request) -> {
                startIoSawWorker.set(workerInside.get());
                startIoEntered.countDown();
                return true;
            };
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            channel.requestWorkerRoutine(ext -> {
                workerInside.set(true);
                inside.countDown();
                try {
                    release.await(Fixture.WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                workerInside.set(false);
            });
            await(inside, "the worker routine");
            Thread submitter = new Thread(() -> channel.submit(new IoRequest(null, null)));
            submitter.start();
            // StartIo must not enter while the worker routine holds the channel lock.
            assertFalse(startIoEntered.await(50, TimeUnit.MILLISECONDS), "StartIo entered during the worker routine");
            release.countDown();
            await(startIoEntered, "StartIo after the worker routine");
            submitter.join();
            assertFalse(startIoSawWorker.get(), "StartIo overlapped the worker routine");
        }
    }

    @Test
    @DisplayName("S11: routines of channels on different interrupt sources run concurrently (worker routines and ISRs overlap)")
    void channelsOnDifferentSourcesOverlap() throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().dispatchThreads(2))) {
            TestMiniport miniportA = new TestMiniport(true);
            TestMiniport miniportB = new TestMiniport(true);
            Channel<TestExt> a = f.startChannel(miniportA, f.newSource());
            Channel<TestExt> b = f.startChannel(miniportB, f.newSource());
            CountDownLatch aInside = new CountDownLatch(1);
            CountDownLatch bInside = new CountDownLatch(1);
            AtomicBoolean workersOverlapped = new AtomicBoolean(true);
            CountDownLatch workersDone = new CountDownLatch(2);
            a.requestWorkerRoutine(ext -> meet(aInside, bInside, workersOverlapped, workersDone));
            b.requestWorkerRoutine(ext -> meet(bInside, aInside, workersOverlapped, workersDone));
            await(workersDone, "both worker routines");
            assertTrue(workersOverlapped.get(), "the worker routines of two channels were inside together");

            CountDownLatch aIsr = new CountDownLatch(1);
            CountDownLatch bIsr = new CountDownLatch(1);
            AtomicBoolean isrsOverlapped = new AtomicBoolean(true);
            CountDownLatch isrsDone = new CountDownLatch(2);
            miniportA.onInterrupt = ext -> meet(aIsr, bIsr, isrsOverlapped, isrsDone);
            miniportB.onInterrupt = ext -> meet(bIsr, aIsr, isrsOverlapped, isrsDone);
            f.source(0).fire();
            f.source(1).fire();
            await(isrsDone, "both ISRs");
            assertTrue(isrsOverlapped.get(), "the ISRs of two channels on different sources were inside together");
            assertEquals(0, f.port.failures().size());
        }
    }

    /** Signals that this side is inside, then waits (bounded) for the other side to be inside too. */
    private static boolean meet(CountDownLatch mine, CountDownLatch other, AtomicBoolean overlapped, CountDownLatch done) {
        mine.countDown();
        try {
            if (!other.await(Fixture.WAIT_SECONDS, TimeUnit.SECONDS)) {
                overlapped.set(false);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        done.countDown();
        return true;
    }
}
