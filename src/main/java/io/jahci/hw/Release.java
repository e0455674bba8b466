package io.jahci.hw;

import java.util.ArrayList;
import java.util.List;

/**
 * Releases a device in steps, running every step even when an earlier one failed (a transport must
 * still close its fds when clearing bus mastering failed), and reports all failures at the end.
 *
 * <pre>{@code
 * Release r = new Release(address);
 * r.step("disabling interrupts", () -> ...);
 * r.step("closing the device fd", () -> Linux.close(deviceFd));
 * r.done();   // throws ReleaseException naming each failed step, if any
 * }</pre>
 *
 * PASSIVE: steps may block (ioctl, close); not thread safe, one releasing thread.
 */
public final class Release {
    /** One step of a release; it may throw anything, which {@link #step} records. */
    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    /** Steps of a release failed; the device is released as far as the other steps went. */
    public static final class ReleaseException extends RuntimeException {
        ReleaseException(String message, Throwable first) {
            super(message, first);
        }
    }

    private final String what;
    private final List<String> failures = new ArrayList<>();
    private Throwable first;

    /** @param what the device being released, for the message, e.g. {@code 0000:00:05.0} */
    public Release(String what) {
        this.what = what;
    }

    /** Runs {@code step}; a failure is recorded as "{@code name}: message" and the release goes on. */
    public void step(String name, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            failures.add(name + ": " + e.getMessage());
            if (first == null) {
                first = e;
            }
        }
    }

    /** The failures so far, in step order. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** @throws ReleaseException naming every failed step, when any failed */
    public void done() {
        if (!failures.isEmpty()) {
            throw new ReleaseException("releasing " + what + ": " + String.join("; ", failures), first);
        }
    }
}
