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

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    @Override
    public void close() {
        try {
            port.close();
            assertEquals(List.of(), port.failures(), "failures on port threads");
        } finally {
            sources.forEach(TestInterruptSource::close);
        }
    }
}
