package io.jahci.ataport;

import static io.jahci.ataport.Misuse.assertViolation;
import static io.jahci.ataport.Misuse.thrownBy;
import static io.jahci.ataport.Misuse.thrownInWorkerRoutine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The channel rules SERVICE_ON_STOPPED_CHANNEL and CHANNEL_LOCK_ALREADY_OWNED, verifier on or off. */
class ChannelRulesTest {
    private static final String ANY_BUT_STOPPED = "channel STARTING, INITIALIZING, STARTED or STOPPING";

    /** Every port service and caller call on {@code channel} is refused with SERVICE_ON_STOPPED_CHANNEL and has no effect. */
    private static void assertEverythingRefused(Channel<TestExt> channel) {
        String me = Thread.currentThread().getName();
        AtomicBoolean ran = new AtomicBoolean();
        IoRequest request = new IoRequest(null, null);
        Map<String, Misuse.Action> services = Map.of(
                "Channel.requestWorkerRoutine", () -> channel.requestWorkerRoutine(ext -> ran.set(true)),
                "Channel.requestSynchronizedRoutine", () -> channel.requestSynchronizedRoutine(ext -> ran.set(true)),
                "Channel.requestTimer", () -> channel.requestTimer(ext -> ran.set(true), 1),
                "Channel.requestNextRequest", channel::requestNextRequest,
                "Channel.completeRequest", () -> channel.completeRequest(request, IoStatus.SUCCESS));
        services.forEach((service, call) -> assertViolation(thrownBy(call), VerifierException.Rule.SERVICE_ON_STOPPED_CHANNEL,
                service + " of channel 0", ANY_BUT_STOPPED, "channel STOPPED", me));
        Map<String, Misuse.Action> callers = Map.of(
                "Channel.submit", () -> channel.submit(request),
                "Channel.reset", channel::reset,
                "Channel.powerUp", channel::powerUp,
                "Channel.powerDown", channel::powerDown,
                "Channel.stop", channel::stop);
        callers.forEach((call, action) -> assertViolation(thrownBy(action), VerifierException.Rule.SERVICE_ON_STOPPED_CHANNEL,
                call + " of channel 0", "channel STARTED", "channel STOPPED", me));
        assertFalse(ran.get(), "a refused routine ran");
        assertFalse(request.inFlight(), "a refused request is idle");
        Map<String, Seen> seen = channel.extension().seen;
        for (String routine : new String[] {"buildIo", "reset", "control POWER_UP", "control POWER_DOWN"}) {
            assertNull(seen.get(routine), routine + " was called on a stopped channel");
        }
    }

    @ParameterizedTest(name = "verifier {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Verifier: a service on a stopped channel (before start, after stop) is SERVICE_ON_STOPPED_CHANNEL; StartChannel and StopChannel may still use services")
    void serviceOnStoppedChannel(boolean verifier) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(verifier))) {
            TestMiniport miniport = new TestMiniport(false);
            Channel<TestExt> channel = f.port.createChannel(miniport, f.newSource());
            assertEquals(ChannelState.STOPPED, channel.state());
            assertEverythingRefused(channel);

            AtomicReference<IoRequest> held = new AtomicReference<>();
            Map<ControlAction, Throwable> inControl = new ConcurrentHashMap<>();
            Map<ControlAction, ChannelState> stateInControl = new ConcurrentHashMap<>();
            miniport.onStartIo = (ext, request) -> held.compareAndSet(null, request);
            miniport.onControl = (ext, action) -> {
                stateInControl.put(action, ext.channel.state());
                Throwable t = thrownBy(() -> {
                    if (action == ControlAction.START_CHANNEL) {
                        ext.channel.requestTimer(e -> { }, 0);
                    } else if (action == ControlAction.STOP_CHANNEL) {
                        ext.channel.completeRequest(held.get(), IoStatus.ABORTED); // a request the miniport still held
                    }
                });
                if (t != null) {
                    inControl.put(action, t);
                }
                return true;
            };
            assertTrue(channel.start());
            assertEquals(ChannelState.STARTED, channel.state());
            IoRequest request = new IoRequest(null, null);
            channel.submit(request);
            assertEquals(request, held.get());
            channel.stop();
            assertEquals(Map.of(), inControl, "StartChannel and StopChannel may use port services");
            assertEquals(Map.of(ControlAction.START_CHANNEL, ChannelState.STARTING, ControlAction.STOP_CHANNEL,
                    ChannelState.STOPPING), stateInControl);
            Fixture.awaitTrue(() -> !request.inFlight(), "the request StopChannel completed");
            assertEquals(IoStatus.ABORTED, request.status());
            assertEquals(ChannelState.STOPPED, channel.state());
            channel.extension().seen.clear();
            assertEverythingRefused(channel);
        }
    }

    @ParameterizedTest(name = "verifier {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Verifier: submit or reset from a routine holding the channel lock is CHANNEL_LOCK_ALREADY_OWNED; the request is not left in flight")
    void channelLockAlreadyOwned(boolean verifier) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(verifier))) {
            TestMiniport miniport = new TestMiniport(false);
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            String expected = "channel 0 channel lock free on this thread";
            String actual = "channel 0 channel lock held by this thread (called from a routine of channel 0)";
            IoRequest request = new IoRequest(null, null);
            assertViolation(thrownInWorkerRoutine(channel, ext -> ext.channel.submit(request)),
                    VerifierException.Rule.CHANNEL_LOCK_ALREADY_OWNED, "Channel.submit of channel 0", expected, actual,
                    "jahci-dispatch-");
            assertFalse(request.inFlight(), "the refused request is not left PENDING");
            assertNull(channel.extension().seen.get("buildIo"), "BuildIo was not called");
            assertViolation(thrownInWorkerRoutine(channel, ext -> ext.channel.reset()),
                    VerifierException.Rule.CHANNEL_LOCK_ALREADY_OWNED, "Channel.reset of channel 0", expected, actual,
                    "jahci-dispatch-");
            assertNull(channel.extension().seen.get("reset"), "Reset was not called");

            // StartIo without SyncWithIsr runs at DISPATCH holding the channel lock.
            AtomicReference<Throwable> inStartIo = new AtomicReference<>();
            miniport.onStartIo = (ext, r) -> {
                inStartIo.set(thrownBy(ext.channel::powerUp));
                ext.channel.completeRequest(r, IoStatus.SUCCESS);
                return true;
            };
            assertTrue(channel.submitAndWait(request, Fixture.WAIT_SECONDS, TimeUnit.SECONDS),
                    "the refused request could be submitted again and completed");
            assertEquals(IoStatus.SUCCESS, request.status());
            assertViolation(inStartIo.get(), VerifierException.Rule.CHANNEL_LOCK_ALREADY_OWNED,
                    "Channel.powerUp of channel 0", expected, actual, Thread.currentThread().getName());
            assertTrue(channel.extension().seen.get("startIo").channelLock());
        }
    }

    @ParameterizedTest(name = "verifier {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Verifier: reset, powerUp or powerDown from a completion callback on the interrupt thread is INTERRUPT_THREAD_WAIT (it would wait for the channel lock and hold off every ISR)")
    void interruptThreadWait(boolean verifier) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(verifier).completionMode(CompletionMode.INTERRUPT))) {
            TestMiniport miniport = new TestMiniport(false);
            AtomicReference<IoRequest> slot = new AtomicReference<>();
            miniport.onStartIo = (ext, r) -> slot.compareAndSet(null, r);
            miniport.onInterrupt = ext -> {
                IoRequest r = slot.getAndSet(null);
                if (r != null) {
                    ext.channel.completeRequest(r, IoStatus.SUCCESS);
                }
                return true;
            };
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            Map<String, Misuse.Action> calls = Map.of("Channel.reset", channel::reset, "Channel.powerUp", channel::powerUp,
                    "Channel.powerDown", channel::powerDown);
            for (Map.Entry<String, Misuse.Action> call : calls.entrySet()) {
                AtomicReference<Throwable> thrown = new AtomicReference<>();
                java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
                channel.submit(new IoRequest(null, r -> {
                    thrown.set(thrownBy(call.getValue()));
                    done.countDown();
                }));
                f.source(0).fire();
                Fixture.await(done, "the completion callback");
                assertViolation(thrown.get(), VerifierException.Rule.INTERRUPT_THREAD_WAIT, call.getKey() + " of channel 0",
                        "a thread that does not run ISRs", "DISPATCH on the interrupt thread", "jahci-irq-0");
            }
            for (String routine : new String[] {"reset", "control POWER_UP", "control POWER_DOWN"}) {
                assertNull(channel.extension().seen.get(routine), routine + " was called on the interrupt thread");
            }
        }
    }
}
