package io.jahci.ataport;

import io.jahci.hw.InterruptSource;
import io.jahci.platform.EventFd;
import io.jahci.platform.NativeException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicLong;

/** A real eventfd-backed interrupt source: {@link #fire()} raises an interrupt, rearm() is counted. */
final class TestInterruptSource implements InterruptSource {
    private final EventFd eventFd;
    private final String name;
    final AtomicLong rearms = new AtomicLong();

    TestInterruptSource(String name) {
        this.name = name;
        try {
            this.eventFd = EventFd.create();
        } catch (NativeException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Raises one interrupt. */
    void fire() {
        try {
            eventFd.signal();
        } catch (NativeException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int fd() {
        return eventFd.fd();
    }

    @Override
    public long acknowledge() {
        try {
            return eventFd.drain();
        } catch (NativeException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void rearm() {
        rearms.incrementAndGet();
    }

    @Override
    public String describe() {
        return "test source " + name;
    }

    @Override
    public void close() {
        try {
            eventFd.close();
        } catch (NativeException e) {
            throw new UncheckedIOException(e);
        }
    }
}
