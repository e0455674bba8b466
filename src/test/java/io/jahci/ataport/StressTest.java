package io.jahci.ataport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Two channels on two sources (one with SyncWithIsr, one without), producers requesting worker
 * and synchronized routines and submitting requests while both sources interrupt continuously.
 */
class StressTest {
    private static final long MIN_RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    private static final long MAX_RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(4000);
    /** How long a probe worker routine waits, inside, for an ISR and for the other channel. */
    private static final long PROBE_NANOS = TimeUnit.MILLISECONDS.toNanos(2000);
    private static final int MAX_OUTSTANDING = 100;

    /** Channel extension with counters of who is inside which serialized section. */
    static final class Ext {
        final Channel<Ext> channel;
        final boolean syncWithIsr;
        final AtomicInteger channelLockInside = new AtomicInteger();
        final AtomicInteger interruptLockInside = new AtomicInteger();
        final AtomicInteger workersInside = new AtomicInteger();
        final AtomicInteger outstanding = new AtomicInteger();
        final AtomicLong isrCalls = new AtomicLong();
        final AtomicLong syncRequests = new AtomicLong();
        final AtomicReference<IoRequest> inflight = new AtomicReference<>();
        final AtomicBoolean isrOverlappedWorker = new AtomicBoolean();
        final AtomicBoolean probed = new AtomicBoolean();
        volatile boolean dpcPending;
        Ext other;
        /** Updated only by the ISR and synchronized routines, deliberately a plain field. */
        long shared;

        Ext(Channel<Ext> channel, boolean syncWithIsr) {
            this.channel = channel;
            this.syncWithIsr = syncWithIsr;
        }
    }

    private final AtomicInteger violations = new AtomicInteger();
    private final AtomicBoolean channelsOverlapped = new AtomicBoolean();

    private void enter(AtomicInteger inside) {
        if (inside.incrementAndGet() != 1) {
            violations.incrementAndGet();
        }
    }

    private final ChannelRoutine<Ext> synchronizedIncrement = ext -> {
        enter(ext.interruptLockInside);
        ext.shared++;
        ext.interruptLockInside.decrementAndGet();
    };

    private void workerBody(Ext ext) {
        enter(ext.channelLockInside);
        ext.workersInside.incrementAndGet();
        if (ext.other.workersInside.get() > 0) {
            channelsOverlapped.set(true);
        }
        long until = System.nanoTime() + 20_000;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        if (!ext.probed.getAndSet(true)) {
            probe(ext);
        }
        ext.syncRequests.incrementAndGet();
        ext.channel.requestSynchronizedRoutine(synchronizedIncrement);
        ext.workersInside.decrementAndGet();
        ext.channelLockInside.decrementAndGet();
    }

    /**
     * The first worker routine of each channel stays inside (bounded) until an ISR of its channel
     * ran and a worker routine of the other channel is inside too. Interrupts fire continuously,
     * so both overlaps happen unless the port layer wrongly serializes them, which the final
     * assertions then report. Overlap is thus proven, not left to chance.
     */
    private void probe(Ext ext) {
        long isrsBefore = ext.isrCalls.get();
        long deadline = System.nanoTime() + PROBE_NANOS;
        while (System.nanoTime() < deadline
                && (ext.isrCalls.get() == isrsBefore || ext.other.workersInside.get() == 0)) {
            if (ext.other.workersInside.get() > 0) {
                channelsOverlapped.set(true);
            }
            Thread.onSpinWait();
        }
        if (ext.other.workersInside.get() > 0) {
            channelsOverlapped.set(true);
        }
    }

    private final ChannelRoutine<Ext> requestedWorker = ext -> {
        workerBody(ext);
        ext.outstanding.decrementAndGet();
    };

    private final ChannelRoutine<Ext> isrWorker = ext -> {
        ext.dpcPending = false;
        workerBody(ext);
    };

    private final class StressMiniport implements Miniport<Ext> {
        private final boolean syncWithIsr;

        StressMiniport(boolean syncWithIsr) {
            this.syncWithIsr = syncWithIsr;
        }

        @Override
        public Ext channelInit(Channel<Ext> channel, ChannelConfiguration configuration) {
            configuration.syncWithIsr(syncWithIsr);
            return new Ext(channel, syncWithIsr);
        }

        @Override
        public boolean initialize(Ext ext) {
            return true;
        }

        @Override
        public boolean buildIo(Ext ext, IoRequest request) {
            return true;
        }

        @Override
        public boolean startIo(Ext ext, IoRequest request) {
            enter(ext.channelLockInside);
            if (ext.syncWithIsr) {
                enter(ext.interruptLockInside);
            }
            boolean accepted = ext.inflight.compareAndSet(null, request);
            if (ext.syncWithIsr) {
                ext.interruptLockInside.decrementAndGet();
            }
            ext.channelLockInside.decrementAndGet();
            return accepted;
        }

        @Override
        public boolean interrupt(Ext ext) {
            enter(ext.interruptLockInside);
            ext.shared++;
            ext.isrCalls.incrementAndGet();
            if (ext.workersInside.get() > 0) {
                ext.isrOverlappedWorker.set(true);
            }
            IoRequest done = ext.inflight.getAndSet(null);
            if (done != null) {
                ext.channel.completeRequest(done, IoStatus.SUCCESS);
            }
            if (!ext.dpcPending) {
                ext.dpcPending = true;
                ext.channel.requestWorkerRoutine(isrWorker);
            }
            ext.interruptLockInside.decrementAndGet();
            return true;
        }

        @Override
        public boolean reset(Ext ext) {
            return true;
        }

        @Override
        public boolean control(Ext ext, ControlAction action) {
            return true;
        }
    }

    @RepeatedTest(5)
    @DisplayName("S11: stress: two channels on two sources, producers and continuous interrupts: no overlap where serialized, overlap where allowed, no lost update")
    void stress() throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().dispatchThreads(2).verifier(true).isrBudget(1, TimeUnit.SECONDS))) {
            List<Channel<Ext>> channels = List.of(
                    f.port.createChannel(new StressMiniport(false), f.newSource()),
                    f.port.createChannel(new StressMiniport(true), f.newSource()));
            channels.get(0).extension().other = channels.get(1).extension();
            channels.get(1).extension().other = channels.get(0).extension();
            channels.forEach(c -> assertTrue(c.start()));
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong submitted = new AtomicLong();
            AtomicLong completed = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            threads.add(new Thread(() -> {
                while (running.get()) {
                    f.source(0).fire();
                    f.source(1).fire();
                    Thread.yield();
                }
            }, "stress-interrupter"));
            for (int p = 0; p < 2; p++) {
                int seed = p;
                threads.add(new Thread(() -> {
                    List<IoRequest> requests = new ArrayList<>();
                    for (int i = 0; i < 4; i++) {
                        requests.add(new IoRequest(null, r -> completed.incrementAndGet()));
                    }
                    for (int n = seed; running.get(); n++) {
                        Channel<Ext> channel = channels.get(n % 2);
                        Ext ext = channel.extension();
                        switch (n % 3) {
                            case 0:
                                if (ext.outstanding.get() < MAX_OUTSTANDING) {
                                    ext.outstanding.incrementAndGet();
                                    channel.requestWorkerRoutine(requestedWorker);
                                }
                                break;
                            case 1:
                                ext.syncRequests.incrementAndGet();
                                channel.requestSynchronizedRoutine(synchronizedIncrement);
                                break;
                            default:
                                IoRequest request = requests.get(n % requests.size());
                                if (!request.inFlight()) {
                                    submitted.incrementAndGet();
                                    channel.submit(request);
                                }
                        }
                        Thread.yield();
                    }
                }, "stress-producer-" + p));
            }
            long start = System.nanoTime();
            threads.forEach(Thread::start);
            while (System.nanoTime() - start < MIN_RUN_NANOS
                    || (System.nanoTime() - start < MAX_RUN_NANOS && !(channelsOverlapped.get() && isrOverlappedWorker(channels)))) {
                Thread.sleep(10);
            }
            running.set(false);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(Fixture.WAIT_SECONDS));
                assertFalse(t.isAlive(), t.getName() + " finished");
            }
            // Requests still held by a miniport complete at the next interrupt.
            Fixture.awaitTrue(() -> {
                f.source(0).fire();
                f.source(1).fire();
                return completed.get() == submitted.get()
                        && channels.stream().allMatch(c -> c.extension().outstanding.get() == 0);
            }, "all requests and worker routines to finish");
            // Quiesce: stop() ends ISR calls and waits until every queued worker routine has run.
            channels.forEach(Channel::stop);

            assertEquals(0, violations.get(), "serialized routines overlapped");
            for (Channel<Ext> channel : channels) {
                // stop() waited for the last ISR (it took the interrupt lock) and drained the worker routines.
                Ext ext = channel.extension();
                assertEquals(ext.isrCalls.get() + ext.syncRequests.get(), ext.shared, "lost updates on " + channel);
            }
            assertTrue(isrOverlappedWorker(channels), "an ISR ran while a worker routine of its channel ran");
            assertTrue(channelsOverlapped.get(), "worker routines of the two channels overlapped");
            assertTrue(submitted.get() > 0, "requests were submitted");
        }
    }

    private static boolean isrOverlappedWorker(List<Channel<Ext>> channels) {
        return channels.stream().anyMatch(c -> c.extension().isrOverlappedWorker.get());
    }
}
