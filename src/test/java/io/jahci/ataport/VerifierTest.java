package io.jahci.ataport;

import static io.jahci.ataport.Fixture.await;
import static io.jahci.ataport.Misuse.assertViolation;
import static io.jahci.ataport.Misuse.thrownBy;
import static io.jahci.ataport.Misuse.thrownInIsr;
import static io.jahci.ataport.Misuse.thrownInSynchronizedRoutine;
import static io.jahci.ataport.Misuse.thrownInWorkerRoutine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The level rules, always on, and the ISR budget, the costly check that only the verifier turns on. */
class VerifierTest {
    private static final WorkItemCallback<Object> NOTHING = (d, c, w) -> { };

    @ParameterizedTest(name = "verifier {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Verifier: queuing a work item from the ISR (DIRQL) is WRONG_LEVEL, verifier on or off")
    void wrongLevelFromIsr(boolean verifier) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(verifier))) {
            TestMiniport miniport = new TestMiniport(false);
            f.startChannel(miniport, f.newSource());
            Worker worker = f.port.initializeWorker();
            Throwable thrown = thrownInIsr(miniport, f.source(0), ext -> f.port.queueWorkItem(worker, NOTHING, null));
            assertViolation(thrown, VerifierException.Rule.WRONG_LEVEL, "PortDriver.queueWorkItem", "<= DISPATCH", "DIRQL",
                    "jahci-irq-0");
            assertEquals(Worker.State.IDLE, worker.state(), "the rejected call changed nothing");
        }
    }

    @ParameterizedTest(name = "verifier {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Verifier: submitting from a synchronized routine (DIRQL) is WRONG_LEVEL, verifier on or off")
    void wrongLevelSubmitAtDirql(boolean verifier) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(verifier))) {
            TestMiniport miniport = new TestMiniport(false);
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            IoRequest request = new IoRequest(null, null);
            assertViolation(thrownInSynchronizedRoutine(channel, ext -> ext.channel.submit(request)),
                    VerifierException.Rule.WRONG_LEVEL, "Channel.submit", "<= DISPATCH", "DIRQL",
                    Thread.currentThread().getName());
            assertFalse(request.inFlight(), "the refused request stays idle");
            assertNull(channel.extension().seen.get("buildIo"), "BuildIo was not called");
        }
    }

    @ParameterizedTest(name = "verifier {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Verifier: blocking port calls (submitAndWait, freeWorkerWhenIdle, stop, createChannel, PortDriver.start) at DISPATCH or DIRQL are BLOCKING_CALL_AT_RAISED_LEVEL, verifier on or off")
    void blockingCallsAtRaisedLevel(boolean verifier) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(verifier))) {
            Channel<TestExt> channel = f.startChannel(new TestMiniport(false), f.newSource());
            Worker worker = f.port.initializeWorker();
            assertViolation(thrownInWorkerRoutine(channel, ext -> ext.channel.submitAndWait(new IoRequest(null, null), 1,
                    TimeUnit.SECONDS)), VerifierException.Rule.BLOCKING_CALL_AT_RAISED_LEVEL, "Channel.submitAndWait",
                    "PASSIVE", "DISPATCH", "jahci-dispatch-");
            assertViolation(thrownInWorkerRoutine(channel, ext -> f.port.freeWorkerWhenIdle(worker, 1, TimeUnit.SECONDS)),
                    VerifierException.Rule.BLOCKING_CALL_AT_RAISED_LEVEL, "PortDriver.freeWorkerWhenIdle", "PASSIVE", "DISPATCH",
                    "jahci-dispatch-");
            assertViolation(thrownInSynchronizedRoutine(channel, ext -> ext.channel.stop()),
                    VerifierException.Rule.BLOCKING_CALL_AT_RAISED_LEVEL, "Channel.stop", "PASSIVE", "DIRQL",
                    Thread.currentThread().getName());
            assertTrue(channel.isStarted(), "the rejected stop changed nothing");
            assertViolation(thrownInWorkerRoutine(channel, ext -> f.port.createChannel(new TestMiniport(false), f.connections.get(0))),
                    VerifierException.Rule.BLOCKING_CALL_AT_RAISED_LEVEL, "PortDriver.createChannel", "PASSIVE", "DISPATCH",
                    "jahci-dispatch-");
            assertViolation(thrownInWorkerRoutine(channel, ext -> PortDriver.start(new Object(), new PortDriverOptions())),
                    VerifierException.Rule.BLOCKING_CALL_AT_RAISED_LEVEL, "PortDriver.start", "PASSIVE", "DISPATCH",
                    "jahci-dispatch-");
            f.port.freeWorker(worker);
        }
    }

    @ParameterizedTest(name = "verifier {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Verifier: a miniport's own sleep (Verifier.mightSleep, Linux's might_sleep) at DISPATCH or DIRQL is BLOCKING_CALL_AT_RAISED_LEVEL; at PASSIVE it passes")
    void mightSleepAtRaisedLevel(boolean verifier) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(verifier))) {
            TestMiniport miniport = new TestMiniport(true);
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            assertViolation(thrownInWorkerRoutine(channel, ext -> Verifier.mightSleep("a worker routine's sleep")),
                    VerifierException.Rule.BLOCKING_CALL_AT_RAISED_LEVEL, "a worker routine's sleep", "PASSIVE", "DISPATCH",
                    "jahci-dispatch-");
            assertViolation(thrownInSynchronizedRoutine(channel, ext -> Verifier.mightSleep("a synchronized routine's sleep")),
                    VerifierException.Rule.BLOCKING_CALL_AT_RAISED_LEVEL, "a synchronized routine's sleep", "PASSIVE", "DIRQL",
                    Thread.currentThread().getName());
            assertViolation(thrownInIsr(miniport, f.source(0), ext -> Verifier.mightSleep("the ISR's sleep")),
                    VerifierException.Rule.BLOCKING_CALL_AT_RAISED_LEVEL, "the ISR's sleep", "PASSIVE", "DIRQL", "jahci-irq-0");
            AtomicReference<Throwable> inStartIo = new AtomicReference<>();
            miniport.onStartIo = (ext, request) -> {
                inStartIo.set(thrownBy(() -> Verifier.mightSleep("StartIo's sleep")));
                ext.channel.completeRequest(request, IoStatus.SUCCESS);
                return true;
            };
            assertTrue(channel.submitAndWait(new IoRequest(null, null), Fixture.WAIT_SECONDS, TimeUnit.SECONDS));
            assertViolation(inStartIo.get(), VerifierException.Rule.BLOCKING_CALL_AT_RAISED_LEVEL, "StartIo's sleep",
                    "PASSIVE", "DIRQL", Thread.currentThread().getName());

            assertNull(thrownBy(() -> Verifier.mightSleep("the test thread's sleep")), "PASSIVE may sleep");
            Worker worker = f.port.initializeWorker();
            AtomicReference<Throwable> inWorkItem = new AtomicReference<>(new AssertionError("the work item did not run"));
            CountDownLatch ran = new CountDownLatch(1);
            f.port.queueWorkItem(worker, (d, c, w) -> {
                inWorkItem.set(thrownBy(() -> Verifier.mightSleep("a work item's sleep")));
                ran.countDown();
            }, null);
            await(ran, "the work item");
            assertNull(inWorkItem.get(), "a work item (PASSIVE) may sleep");
            f.port.freeWorkerWhenIdle(worker, Fixture.WAIT_SECONDS, TimeUnit.SECONDS); // its callback may not have returned yet
        }
    }

    @Test
    @DisplayName("Verifier on: an ISR over its budget is a recorded warning, not an exception")
    void isrOverBudgetWarns() throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(true).isrBudget(1, TimeUnit.MILLISECONDS))) {
            TestMiniport miniport = new TestMiniport(false);
            f.startChannel(miniport, f.newSource());
            assertNull(thrownInIsr(miniport, f.source(0), ext -> spin(TimeUnit.MILLISECONDS.toNanos(5))));
            Fixture.awaitTrue(() -> !f.port.verifier().warnings().isEmpty(), "the warning");
            VerifierWarning w = f.port.verifier().warnings().get(0);
            assertEquals("IdeHwInterrupt of channel 0", w.routine());
            assertEquals(VerifierWarning.Kind.ISR_OVER_BUDGET, w.kind());
            assertTrue(w.durationNanos() >= TimeUnit.MILLISECONDS.toNanos(5));
            assertTrue(w.thread().startsWith("jahci-irq-"));
            assertEquals("jahci verifier: ISR_OVER_BUDGET in IdeHwInterrupt of channel 0: ran "
                    + TimeUnit.NANOSECONDS.toMicros(w.durationNanos()) + " us, budget 1000 us, on thread " + w.thread(), w.toString());
            assertEquals(List.of(), f.port.failures());
        }
    }

    @Test
    @DisplayName("Verifier on: a synchronized routine over the ISR's budget is a recorded warning naming the routine")
    void synchronizedRoutineOverBudgetWarns() throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(true).isrBudget(1, TimeUnit.MILLISECONDS))) {
            TestMiniport miniport = new TestMiniport(false);
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            ChannelRoutine<TestExt> slow = new ChannelRoutine<>() {
                @Override
                public void run(TestExt ext) {
                    spin(TimeUnit.MILLISECONDS.toNanos(5));
                }

                @Override
                public String toString() {
                    return "slow slot update";
                }
            };
            channel.requestSynchronizedRoutine(slow);
            assertEquals(1, f.port.verifier().warnings().size(), f.port.verifier().warnings().toString());
            VerifierWarning w = f.port.verifier().warnings().get(0);
            assertEquals(VerifierWarning.Kind.SYNCHRONIZED_ROUTINE_OVER_BUDGET, w.kind());
            assertEquals("synchronized routine slow slot update of channel 0", w.routine());
            assertTrue(w.durationNanos() >= TimeUnit.MILLISECONDS.toNanos(5));
            assertEquals(Thread.currentThread().getName(), w.thread());
            assertTrue(w.toString().startsWith("jahci verifier: SYNCHRONIZED_ROUTINE_OVER_BUDGET in synchronized routine "
                    + "slow slot update of channel 0: ran "), w.toString());
            channel.requestSynchronizedRoutine(ext -> { });
            assertEquals(1, f.port.verifier().warnings().size(), "a quick routine warned");
            assertEquals(List.of(), f.port.failures());
        }
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(false).isrBudget(1, TimeUnit.MILLISECONDS))) {
            Channel<TestExt> channel = f.startChannel(new TestMiniport(false), f.newSource());
            channel.requestSynchronizedRoutine(ext -> spin(TimeUnit.MILLISECONDS.toNanos(5)));
            assertEquals(List.of(), f.port.verifier().warnings(), "timed with the verifier off");
        }
    }

    @Test
    @DisplayName("Verifier off: the costly check (ISR timing) is off, so an ISR over budget is not timed; the default follows jahci.verifier")
    void verifierOffTimesNoIsr() throws Exception {
        assertTrue(Boolean.getBoolean("jahci.verifier"), "surefire sets jahci.verifier=true");
        try (Fixture f = new Fixture()) {
            assertTrue(f.port.verifier().enabled(), "the default follows the system property");
        }
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(false).isrBudget(1, TimeUnit.MILLISECONDS))) {
            TestMiniport miniport = new TestMiniport(false);
            f.startChannel(miniport, f.newSource());
            assertNull(thrownInIsr(miniport, f.source(0), ext -> spin(TimeUnit.MILLISECONDS.toNanos(5))));
            // The ISR returned before the interrupt thread's next step; a second interrupt orders after it.
            assertNull(thrownInIsr(miniport, f.source(0), ext -> { }));
            assertFalse(f.port.verifier().enabled());
            assertEquals(List.of(), f.port.verifier().warnings(), "no ISR was timed");
        }
    }

    @Test
    @DisplayName("Verifier on: a controller synchronized routine over the ISR's budget is a recorded warning naming it")
    void controllerSynchronizedRoutineOverBudgetWarns() throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().verifier(true).isrBudget(1, TimeUnit.MILLISECONDS))) {
            f.startChannel(new TestMiniport(false), f.newSource());
            ControllerRoutine<Object> slow = new ControllerRoutine<>() {
                @Override
                public void run(Object device) {
                    spin(TimeUnit.MILLISECONDS.toNanos(5));
                }

                @Override
                public String toString() {
                    return "HBA IS snapshot";
                }
            };
            f.port.requestControllerSynchronizedRoutine(slow);
            assertEquals(1, f.port.verifier().warnings().size(), f.port.verifier().warnings().toString());
            VerifierWarning w = f.port.verifier().warnings().get(0);
            assertEquals(VerifierWarning.Kind.SYNCHRONIZED_ROUTINE_OVER_BUDGET, w.kind());
            assertEquals("controller synchronized routine HBA IS snapshot", w.routine());
            assertTrue(w.durationNanos() >= TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private static void spin(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    /** Each rule explains itself in words of its own, and a violation's message carries them. */
    @Test
    void eachRuleHasItsOwnExplanationInTheMessage() {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (VerifierException.Rule rule : VerifierException.Rule.values()) {
            String why = rule.explanation();
            assertTrue(why != null && why.length() > 20, rule + ": " + why);
            assertTrue(seen.add(why), rule + " explains itself as another rule does: " + why);
            VerifierException e = new VerifierException(rule, "a routine", "PASSIVE", "DISPATCH", "a thread");
            assertTrue(e.getMessage().contains(why), e.getMessage());
        }
    }
}
