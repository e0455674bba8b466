package io.jahci.hw;

import io.jahci.platform.EventFd;
import io.jahci.platform.NativeException;

/**
 * An interrupt source that is an eventfd which some thread signals: the QEMU transport's
 * {@code IRQ raise} lines, a benchmark's stimulus, a test's "device". Edge-like: each
 * {@link #signal()} is one interrupt, and {@link #rearm()} has nothing to re-enable unless a
 * subclass models a level-triggered line.
 */
public class EventFdInterruptSource implements InterruptSource {
    private final EventFd eventFd;
    private final String description;

    public EventFdInterruptSource(String description) throws NativeException {
        this.eventFd = EventFd.create();
        this.description = description;
    }

    /** Raises one interrupt. Allocates nothing; callable from one thread at a time. */
    public void signal() {
        try {
            eventFd.signal();
        } catch (NativeException e) {
            throw new DeviceLostException("cannot signal the interrupt eventfd of " + description, e);
        }
    }

    @Override
    public final int fd() {
        return eventFd.fd();
    }

    /** Runs on the interrupt thread; allocates nothing. */
    @Override
    public final long acknowledge() {
        try {
            return eventFd.drain();
        } catch (NativeException e) {
            throw new DeviceLostException("cannot read the interrupt eventfd of " + description, e);
        }
    }

    /** Nothing to re-enable for an edge-like source. */
    @Override
    public void rearm() {
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        try {
            eventFd.close();
        } catch (NativeException e) {
            throw new IllegalStateException("closing the eventfd of " + description, e);
        }
    }
}
