package io.jahci.ataport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A port with real eventfd interrupt sources and started test channels; close() shuts the port
 * down (asserting no port-thread failures) and closes the sources.
 */
final class Fixture implements AutoCloseable {
    /** Bounds a wait that only a failure would exhaust. */
    static final long WAIT_SECONDS = 5;

    final PortDriver<Object> port;
    final Object deviceExtension = new Object();
    final List<TestInterruptSource> sources = new ArrayList<>();
    final List<InterruptConnection> connections = new ArrayList<>();
    /** The types of the failures a test provokes on purpose, in order; close() expects exactly these. */
    final List<Class<? extends Throwable>> expectedFailures = new ArrayList<>();

    Fixture(PortDriverOptions options) {
        port = PortDriver.start(deviceExtension, options);
    }

    Fixture() {
        this(new PortDriverOptions());
    }

    InterruptConnection newSource() throws Exception {
        TestInterruptSource source = TestInterruptSource.create("s" + sources.size());
        sources.add(source);
        InterruptConnection connection = port.connectInterrupt(source);
        connections.add(connection);
        return connection;
    }

    TestInterruptSource source(int i) {
        return sources.get(i);
    }

    /** Creates and starts a channel of {@code miniport} on {@code connection}. */
    Channel<TestExt> startChannel(TestMiniport miniport, InterruptConnection connection) {
        Channel<TestExt> channel = port.createChannel(miniport, connection);
        assertTrue(channel.start(), "channel start");
        return channel;
    }

    static void await(CountDownLatch latch, String what) throws InterruptedException {
        if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
            fail("timed out waiting for " + what);
        }
    }

    /**
     * Polls until {@code condition} holds: for something that must happen; the bound is only
     * reached on failure. Never used to show that something did not happen.
     */
    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    /**
     * Returns once {@code thread} is seen spinning for {@code lock}: it has reached the lock and
     * cannot go on until the holder releases it. This is how the tests prove exclusion by
     * observation: while the caller holds the lock, the other thread is parked at it, not merely
     * late. Callable from inside a routine (no checked exception).
     */
    static void awaitWaitingFor(SpinLock lock, Thread thread, String what) {
        try {
            awaitTrue(() -> lock.waiter() == thread, thread.getName() + " waiting for " + lock + " (" + what + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted waiting for " + what);
        }
    }

    /** The port thread named {@code name} ({@code jahci-timer}, {@code jahci-poll}, ...). */
    Thread thread(String name) {
        return port.allThreads().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no port thread named " + name));
    }

    /** The interrupt thread of source {@code i}. */
    Thread interruptThread(int i) {
        return connections.get(i).thread();
    }

    /** The interrupt lock of source {@code i}. */
    SpinLock interruptLock(int i) {
        return connections.get(i).lock();
    }

    @Override
    public void close() {
        try {
            port.close();
            List<Class<?>> failures = new ArrayList<>();
            port.failures().forEach(t -> failures.add(t.getClass()));
            assertEquals(expectedFailures, failures, "failures on port threads: " + port.failures());
        } finally {
            sources.forEach(TestInterruptSource::close);
        }
    }
}
