package io.jahci.ataport;

import static io.jahci.ataport.Fixture.await;
import static io.jahci.ataport.Fixture.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelConcurrencyTest {

    @Test
    @DisplayName("S11: on one channel StartIo is held at the channel lock while a worker routine runs: routines the table serializes never overlap")
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
            Thread submitter = new Thread(() -> channel.submit(new IoRequest(null, null)), "submitter");
            submitter.start();
            // The submitter reached StartIo's channel lock, which the worker routine holds: it waits there.
            Fixture.awaitWaitingFor(channel.channelLock(), submitter, "StartIo held off by the worker routine");
            assertEquals(1, startIoEntered.getCount(), "StartIo entered during the worker routine");
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

    @ParameterizedTest(name = "SyncWithIsr={0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("S11: two channels on one interrupt source (AHCI's case) share its interrupt lock: a synchronized routine of one holds off the ISRs of both and the other's synchronized routines")
    void channelsOnOneSourceShareTheInterruptLock(boolean syncWithIsr) throws Exception {
        try (Fixture f = new Fixture()) {
            InterruptConnection irq = f.newSource();
            TestMiniport miniportA = new TestMiniport(syncWithIsr);
            TestMiniport miniportB = new TestMiniport(syncWithIsr);
            Channel<TestExt> a = f.startChannel(miniportA, irq);
            Channel<TestExt> b = f.startChannel(miniportB, irq);
            AtomicLong isrsA = new AtomicLong();
            AtomicLong isrsB = new AtomicLong();
            miniportA.onInterrupt = ext -> isrsA.incrementAndGet() > 0;
            miniportB.onInterrupt = ext -> isrsB.incrementAndGet() > 0;
            AtomicBoolean bInsideA = new AtomicBoolean();
            AtomicBoolean bRoutineRan = new AtomicBoolean();
            List<Long> isrsWhileHeld = new ArrayList<>();
            Thread otherRequester = new Thread(() -> b.requestSynchronizedRoutine(ext -> bRoutineRan.set(true)), "b-requester");
            a.requestSynchronizedRoutine(ext -> {
                // B's synchronized routine requested from inside A's runs inline: the lock is already held.
                b.requestSynchronizedRoutine(bExt -> bInsideA.set(b.holdsInterruptLock() && Irql.current() == Irql.DIRQL));
                f.source(0).fire();
                Fixture.awaitWaitingFor(f.interruptLock(0), f.interruptThread(0), "the ISRs of both channels held off");
                isrsWhileHeld.add(isrsA.get() + isrsB.get());
                otherRequester.start();
                Fixture.awaitWaitingFor(f.interruptLock(0), otherRequester, "B's synchronized routine held off");
                isrsWhileHeld.add(bRoutineRan.get() ? 1L : 0L);
            });
            otherRequester.join(TimeUnit.SECONDS.toMillis(Fixture.WAIT_SECONDS));
            assertTrue(bRoutineRan.get(), "B's synchronized routine ran once A's returned");
            awaitTrue(() -> isrsA.get() == 1 && isrsB.get() == 1, "one ISR call per channel for the interrupt");
            assertEquals(List.of(0L, 0L), isrsWhileHeld, "an ISR or B's synchronized routine ran inside A's");
            assertTrue(bInsideA.get(), "B's synchronized routine ran inline at DIRQL inside A's");
        }
    }

    @ParameterizedTest(name = "SyncWithIsr={0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("S11: on one interrupt source, StartIo of two channels serializes on the shared interrupt lock with SyncWithIsr TRUE and runs concurrently with FALSE")
    void startIoOfChannelsOnOneSource(boolean syncWithIsr) throws Exception {
        try (Fixture f = new Fixture()) {
            InterruptConnection irq = f.newSource();
            TestMiniport miniportA = new TestMiniport(syncWithIsr);
            TestMiniport miniportB = new TestMiniport(syncWithIsr);
            Channel<TestExt> a = f.startChannel(miniportA, irq);
            Channel<TestExt> b = f.startChannel(miniportB, irq);
            CountDownLatch aInside = new CountDownLatch(1);
            CountDownLatch bInside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean aWasInsideWhenBEntered = new AtomicBoolean();
            AtomicBoolean aInsideNow = new AtomicBoolean();
            miniportA.onStartIo = (ext, request) -> {
                aInsideNow.set(true);
                aInside.countDown();
                awaitQuietly(release);
                aInsideNow.set(false);
                return true;
            };
            miniportB.onStartIo = (ext, request) -> {
                aWasInsideWhenBEntered.set(aInsideNow.get());
                bInside.countDown();
                return true;
            };
            Thread submitterA = new Thread(() -> a.submit(new IoRequest(null, null)), "submitter-a");
            Thread submitterB = new Thread(() -> b.submit(new IoRequest(null, null)), "submitter-b");
            submitterA.start();
            await(aInside, "A's StartIo");
            submitterB.start();
            if (syncWithIsr) {
                Fixture.awaitWaitingFor(f.interruptLock(0), submitterB, "B's StartIo held off by A's");
                assertEquals(1, bInside.getCount(), "B's StartIo entered inside A's");
                release.countDown();
                await(bInside, "B's StartIo after A's");
                assertFalse(aWasInsideWhenBEntered.get(), "B's StartIo overlapped A's");
            } else {
                await(bInside, "B's StartIo while A's runs");
                assertTrue(aWasInsideWhenBEntered.get(), "B's StartIo ran while A's was inside");
                release.countDown();
            }
            submitterA.join();
            submitterB.join();
        }
    }

    @ParameterizedTest(name = "SyncWithIsr={0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("S11: on one interrupt source, worker routines and BuildIo of two channels still run concurrently")
    void workerRoutinesAndBuildIoOfChannelsOnOneSourceOverlap(boolean syncWithIsr) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().dispatchThreads(2))) {
            InterruptConnection irq = f.newSource();
            TestMiniport miniportA = new TestMiniport(syncWithIsr);
            TestMiniport miniportB = new TestMiniport(syncWithIsr);
            Channel<TestExt> a = f.startChannel(miniportA, irq);
            Channel<TestExt> b = f.startChannel(miniportB, irq);
            CountDownLatch aWorker = new CountDownLatch(1);
            CountDownLatch bWorker = new CountDownLatch(1);
            AtomicBoolean workersOverlapped = new AtomicBoolean(true);
            CountDownLatch workersDone = new CountDownLatch(2);
            a.requestWorkerRoutine(ext -> meet(aWorker, bWorker, workersOverlapped, workersDone));
            b.requestWorkerRoutine(ext -> meet(bWorker, aWorker, workersOverlapped, workersDone));
            await(workersDone, "both worker routines");
            assertTrue(workersOverlapped.get(), "the worker routines of two channels on one source were inside together");

            CountDownLatch aBuildIo = new CountDownLatch(1);
            CountDownLatch bBuildIo = new CountDownLatch(1);
            AtomicBoolean buildIosOverlapped = new AtomicBoolean(true);
            CountDownLatch buildIosDone = new CountDownLatch(2);
            miniportA.onBuildIo = (ext, r) -> meet(aBuildIo, bBuildIo, buildIosOverlapped, buildIosDone);
            miniportB.onBuildIo = (ext, r) -> meet(bBuildIo, aBuildIo, buildIosOverlapped, buildIosDone);
            Thread submitterA = new Thread(() -> a.submit(new IoRequest(null, null)), "submitter-a");
            Thread submitterB = new Thread(() -> b.submit(new IoRequest(null, null)), "submitter-b");
            submitterA.start();
            submitterB.start();
            await(buildIosDone, "both BuildIo calls");
            submitterA.join();
            submitterB.join();
            assertTrue(buildIosOverlapped.get(), "BuildIo of two channels on one source were inside together");
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            await(latch, "the release");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
