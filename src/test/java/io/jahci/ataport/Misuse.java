package io.jahci.ataport;

import static io.jahci.ataport.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** Runs a misuse in a given context and checks the {@link VerifierException} it raised. */
final class Misuse {
    /** A misuse that may throw anything. */
    interface Action {
        void run() throws Exception;
    }

    private Misuse() {}

    /** What {@code action} threw, or null. */
    static Throwable thrownBy(Action action) {
        try {
            action.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /** Runs {@code misuse} inside the ISR of {@code channel} (fired on {@code source}) and returns what it threw. */
    static Throwable thrownInIsr(TestMiniport miniport, TestInterruptSource source, Consumer<TestExt> misuse)
            throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        miniport.onInterrupt = ext -> {
            thrown.set(thrownBy(() -> misuse.accept(ext)));
            ran.countDown();
            return true;
        };
        source.fire();
        await(ran, "the ISR");
        return thrown.get();
    }

    /** Runs {@code misuse} inside a worker routine of {@code channel} (DISPATCH, channel lock) and returns what it threw. */
    static Throwable thrownInWorkerRoutine(Channel<TestExt> channel, Consumer<TestExt> misuse) throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        channel.requestWorkerRoutine(ext -> {
            thrown.set(thrownBy(() -> misuse.accept(ext)));
            ran.countDown();
        });
        await(ran, "the worker routine");
        return thrown.get();
    }

    /** Runs {@code misuse} inside a synchronized routine of {@code channel} on this thread (DIRQL) and returns what it threw. */
    static Throwable thrownInSynchronizedRoutine(Channel<TestExt> channel, Consumer<TestExt> misuse) {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        channel.requestSynchronizedRoutine(ext -> thrown.set(thrownBy(() -> misuse.accept(ext))));
        return thrown.get();
    }

    /** Asserts that {@code thrown} is the violation described, with the message format of {@link VerifierException}. */
    static VerifierException assertViolation(Throwable thrown, VerifierException.Rule rule, String routine, String expected,
            String actual, String threadPrefix) {
        VerifierException e = assertInstanceOf(VerifierException.class, thrown);
        assertEquals(rule, e.rule(), e.getMessage());
        assertEquals(routine, e.routine());
        assertEquals(expected, e.expected());
        assertEquals(actual, e.actual());
        assertTrue(e.thread().startsWith(threadPrefix), e.thread());
        assertTrue(e.getMessage().startsWith("jahci verifier: " + rule + " in " + routine + ": expected " + expected
                + ", actual " + actual + " on thread " + threadPrefix), e.getMessage());
        assertTrue(e.getMessage().endsWith("(" + rule.explanation() + ")"), e.getMessage());
        return e;
    }
}
