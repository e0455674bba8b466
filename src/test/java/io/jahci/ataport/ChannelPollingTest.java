package io.jahci.ataport;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.jahci.ataport.Fixture.await;
import static org.junit.jupiter.api.Assertions.*;

/** The polling completion modes: who polls, at which level, and what stays an error. */
class ChannelPollingTest {
    /** A device that "completes" the request once {@code ready} is set; the poll finds it. */
    private static TestMiniport device(AtomicReference<IoRequest> inFlight, AtomicBoolean ready,
                                       AtomicReference<String> pollThread, AtomicReference<Irql> pollLevel) {
        TestMiniport miniport = new TestMiniport(true);
        miniport.onPoll = ext -> {
            pollThread.set(Thread.currentThread().getName());
            pollLevel.set(Irql.current());
            if (!ready.get() || inFlight.get() == null) {
                return false;
            }
            ext.channel.completeRequest(inFlight.getAndSet(null), IoStatus.SUCCESS);
            return true;
        };
        return miniport;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = CompletionMode.class, names = {"HYBRID", "POLL"})
    @DisplayName("A synchronous caller polls on its own thread: the poll at DIRQL, its completion at DISPATCH, no port thread involved")
    void theCallerPollsForItsOwnRequest(CompletionMode mode) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().completionMode(mode))) {
            AtomicReference<IoRequest> inFlight = new AtomicReference<>();
            AtomicBoolean ready = new AtomicBoolean(true);
            AtomicReference<String> pollThread = new AtomicReference<>();
            AtomicReference<Irql> pollLevel = new AtomicReference<>();
            TestMiniport miniport = device(inFlight, ready, pollThread, pollLevel);
            miniport.onStartIo = (ext, r) -> inFlight.compareAndSet(null, r);
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            AtomicReference<String> completionThread = new AtomicReference<>();
            AtomicReference<Irql> completionLevel = new AtomicReference<>();
            for (int i = 0; i < 20; i++) {
                IoRequest request = new IoRequest(null, r -> {
                    completionThread.set(Thread.currentThread().getName());
                    completionLevel.set(Irql.current());
                });
                request.setCallerPolls(true);
                channel.submit(request);
                assertTrue(channel.polling().awaitPolled(() -> !request.inFlight(), Fixture.WAIT_SECONDS, TimeUnit.SECONDS));
                assertEquals(Thread.currentThread().getName(), pollThread.get());
                assertEquals(Irql.DIRQL, pollLevel.get());
                assertEquals(Thread.currentThread().getName(), completionThread.get());
                assertEquals(Irql.DISPATCH, completionLevel.get());
                assertEquals(Irql.PASSIVE, Irql.current(), "back at PASSIVE after the wait");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = CompletionMode.class, names = {"HYBRID", "POLL"})
    @DisplayName("A request nobody waits for is polled by jahci-poll, again and again until it completes; then jahci-poll parks")
    void thePollerWatchesAsynchronousRequests(CompletionMode mode) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().completionMode(mode))) {
            AtomicReference<IoRequest> inFlight = new AtomicReference<>();
            AtomicBoolean ready = new AtomicBoolean(false);
            AtomicReference<String> pollThread = new AtomicReference<>();
            AtomicReference<Irql> pollLevel = new AtomicReference<>();
            TestMiniport miniport = device(inFlight, ready, pollThread, pollLevel);
            miniport.onStartIo = (ext, r) -> inFlight.compareAndSet(null, r);
            java.util.concurrent.atomic.AtomicLong polled = new java.util.concurrent.atomic.AtomicLong();
            java.util.function.Predicate<TestExt> devicePoll = miniport.onPoll;
            miniport.onPoll = ext -> {
                polled.incrementAndGet();
                return devicePoll.test(ext);
            };
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            CountDownLatch done = new CountDownLatch(1);
            AtomicReference<String> completionThread = new AtomicReference<>();
            channel.submit(new IoRequest(null, r -> {
                completionThread.set(Thread.currentThread().getName());
                done.countDown();
            }));
            Fixture.awaitTrue(() -> "jahci-poll".equals(pollThread.get()), "jahci-poll to poll");
            long polls = polled.get();
            Fixture.awaitTrue(() -> polled.get() >= polls + 3, "jahci-poll polling again while the device is not ready");
            ready.set(true);
            await(done, "the poller to find the completion");
            assertEquals("jahci-poll", completionThread.get());
            assertFalse(channel.polling().watched());
            Thread poller = f.thread("jahci-poll");
            Fixture.awaitTrue(() -> poller.getState() == Thread.State.WAITING, "jahci-poll parked with nothing to watch");
        }
    }

    @Test
    @DisplayName("Life cycle: a poll is the ISR's work, so from STOPPING on (here from StopChannel) a poll calls no miniport poll")
    void noPollOnceStopping() throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().completionMode(CompletionMode.POLL))) {
            TestMiniport miniport = new TestMiniport(true);
            AtomicInteger polls = new AtomicInteger();
            miniport.onPoll = ext -> polls.incrementAndGet() < 0;
            AtomicReference<Object> inStop = new AtomicReference<>();
            miniport.onControl = (ext, action) -> {
                if (action == ControlAction.STOP_CHANNEL) {
                    int before = polls.get();
                    boolean found = ext.channel.polling().poll();
                    inStop.set(ext.channel.state() + " found=" + found + " polls=" + (polls.get() - before));
                }
                return true;
            };
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            int before = polls.get();
            channel.polling().poll();
            assertEquals(before + 1, polls.get(), "a STARTED channel's poll calls the miniport");
            channel.stop();
            assertEquals("STOPPING found=false polls=0", inStop.get());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = CompletionMode.class, names = {"HYBRID", "POLL"})
    @Tag("allocation")
    @DisplayName("Allocation: in steady state jahci-poll allocates 0 bytes (polls, completions)")
    void thePollerAllocatesNothing(CompletionMode mode) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        mx.setThreadAllocatedMemoryEnabled(true);
        try (Fixture f = new Fixture(new PortDriverOptions().completionMode(mode).verifier(true).isrBudget(10, TimeUnit.SECONDS))) {
            AtomicReference<IoRequest> inFlight = new AtomicReference<>();
            AtomicBoolean ready = new AtomicBoolean(true);
            TestMiniport miniport = device(inFlight, ready, new AtomicReference<>(), new AtomicReference<>());
            miniport.onStartIo = (ext, r) -> inFlight.compareAndSet(null, r);
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            java.util.concurrent.atomic.AtomicLong completions = new java.util.concurrent.atomic.AtomicLong();
            IoRequest request = new IoRequest(null, r -> completions.incrementAndGet());
            Thread poller = f.thread("jahci-poll");
            rounds(channel, request, completions, 20_000);
            long before = mx.getThreadAllocatedBytes(poller.getId());
            rounds(channel, request, completions, 20_000);
            assertEquals(0, mx.getThreadAllocatedBytes(poller.getId()) - before, "bytes jahci-poll allocated");
        }
    }

    private static void rounds(Channel<TestExt> channel, IoRequest request, java.util.concurrent.atomic.AtomicLong completions,
                               int n) {
        for (int i = 0; i < n; i++) {
            long target = completions.get() + 1;
            channel.submit(request);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Fixture.WAIT_SECONDS);
            while (completions.get() != target || request.inFlight()) {
                assertTrue(System.nanoTime() < deadline, "round " + i + " did not finish");
                Thread.onSpinWait();
            }
        }
    }

    @Test
    @DisplayName("awaitPolled is an error in INTERRUPT mode and at DISPATCH (it may sleep)")
    void awaitPolledMisuse() throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().completionMode(CompletionMode.INTERRUPT))) {
            Channel<TestExt> channel = f.startChannel(new TestMiniport(true), f.newSource());
            assertThrows(IllegalStateException.class, () -> channel.polling().awaitPolled(() -> true, 1, TimeUnit.SECONDS));
        }
        try (Fixture f = new Fixture(new PortDriverOptions().completionMode(CompletionMode.POLL))) {
            Channel<TestExt> channel = f.startChannel(new TestMiniport(true), f.newSource());
            AtomicInteger violations = new AtomicInteger();
            CountDownLatch ran = new CountDownLatch(1);
            channel.requestWorkerRoutine(ext -> {
                try {
                    channel.polling().awaitPolled(() -> true, 1, TimeUnit.SECONDS);
                } catch (VerifierException e) {
                    if (e.rule() == VerifierException.Rule.BLOCKING_CALL_AT_RAISED_LEVEL) {
                        violations.incrementAndGet();
                    }
                }
                ran.countDown();
            });
            await(ran, "the worker routine");
            assertEquals(1, violations.get());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = CompletionMode.class, names = {"HYBRID", "POLL"})
    @DisplayName("In a polling mode awaitTakingInterrupt takes nothing: it answers its condition at once, the caller polls")
    void awaitTakingInterruptTakesNothingWhenPolling(CompletionMode mode) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().completionMode(mode))) {
            InterruptConnection connection = f.newSource();
            Channel<TestExt> channel = f.startChannel(new TestMiniport(true), connection);
            AtomicBoolean owned = new AtomicBoolean();
            AtomicInteger looks = new AtomicInteger();
            for (boolean answer : new boolean[] {false, true}) {
                assertEquals(answer, channel.awaitTakingInterrupt(() -> {
                    looks.incrementAndGet();
                    owned.compareAndSet(false, connection.owner() != null);
                    return answer;
                }, 4 * Fixture.WAIT_SECONDS, TimeUnit.SECONDS));
            }
            assertEquals(2, looks.get(), "one look per call");
            assertFalse(owned.get(), "nobody took the source");
        }
    }

    @Test
    @DisplayName("CompletionMode.parse (--completion) names each mode in any case; anything else is refused naming the three")
    void completionModeParses() {
        assertEquals(CompletionMode.INTERRUPT, CompletionMode.parse("interrupt"));
        assertEquals(CompletionMode.HYBRID, CompletionMode.parse("Hybrid"));
        assertEquals(CompletionMode.POLL, CompletionMode.parse("POLL"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CompletionMode.parse("irq"));
        assertEquals("unknown completion mode 'irq': use interrupt, hybrid or poll", e.getMessage());
    }
}
