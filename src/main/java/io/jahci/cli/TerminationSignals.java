package io.jahci.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT and SIGTERM as a call instead of the JVM's exit, while installed: a command that must
 * end in order (answer its clients, flush the disks) stops on them before the shutdown hooks
 * release the device. Closing restores the previous handlers.
 */
final class TerminationSignals implements AutoCloseable {
    private static final String[] NAMES = {"INT", "TERM"};
    private final SignalHandler[] previous = new SignalHandler[NAMES.length];

    private TerminationSignals() {}

    /** Runs {@code onSignal} (on the JVM's signal thread) at each SIGINT or SIGTERM. */
    static TerminationSignals install(Runnable onSignal) {
        TerminationSignals s = new TerminationSignals();
        for (int i = 0; i < NAMES.length; i++) {
            s.previous[i] = Signal.handle(new Signal(NAMES[i]), sig -> onSignal.run());
        }
        return s;
    }

    @Override
    public void close() {
        for (int i = 0; i < NAMES.length; i++) {
            Signal.handle(new Signal(NAMES[i]), previous[i]);
        }
    }
}
