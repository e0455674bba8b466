package io.jahci.ataport;

import io.jahci.hw.EventFdInterruptSource;
import io.jahci.platform.NativeException;

import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicLong;

/** A real eventfd-backed interrupt source: {@link #fire()} raises an interrupt, rearm() is counted. */
final class TestInterruptSource extends EventFdInterruptSource {
    final AtomicLong rearms = new AtomicLong();

    private TestInterruptSource(String name) throws NativeException {
        super("test source " + name);
    }

    static TestInterruptSource create(String name) {
        try {
            return new TestInterruptSource(name);
        } catch (NativeException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Raises one interrupt. */
    void fire() {
        signal();
    }

    @Override
    public void rearm() {
        rearms.incrementAndGet();
    }
}
