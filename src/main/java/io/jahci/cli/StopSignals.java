package io.jahci.cli;

import java.io.PrintWriter;
import java.util.function.Consumer;
import java.util.function.Supplier;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT (Ctrl-C) and SIGTERM while a long command runs (verify, scan, bench io, bench irq). Installed for the
 * command's duration and restored on {@link #close}, so outside those commands the JVM's own handling stays.
 *
 * <p>{@link #summarizeAndExit}: print what was done so far on stderr and exit with 128 + the signal number (130,
 * 143), as a shell reports a process killed by that signal. Exiting runs the shutdown hooks, which release the
 * device exactly as before (VFIO/UIO: {@code ReleaseOnExit}; QEMU: its process is stopped). A command that ends
 * on a signal by its own rules (a server that drains and exits 0; {@code demo}, which puts the sectors it
 * overwrote back first: {@link RestoreWindow}) passes its own action to {@link #onStop}.
 *
 * <p>The action runs on the JVM's signal-dispatch thread (PASSIVE), concurrently with the command.
 */
final class StopSignals implements AutoCloseable {
    /** The signals that stop a command, with the exit status a shell gives a process they end. */
    enum Stop {
        SIGINT(2), SIGTERM(15);

        private final int number;

        Stop(int number) {
            this.number = number;
        }

        int exitCode() {
            return 128 + number;
        }
    }

    private static volatile boolean stopping;

    private final SignalHandler previousInt;
    private final SignalHandler previousTerm;

    private StopSignals(Consumer<Stop> action) {
        previousInt = install("INT", s -> action.accept(Stop.SIGINT));
        previousTerm = install("TERM", s -> action.accept(Stop.SIGTERM));
    }

    /** The previous handler, or null when the JVM keeps the signal to itself (-Xrs): then its own handling stays. */
    private static SignalHandler install(String name, SignalHandler handler) {
        try {
            return Signal.handle(new Signal(name), handler);
        } catch (IllegalArgumentException reservedByTheJvm) {
            return null;
        }
    }

    /** Runs {@code action} when SIGINT or SIGTERM arrives, until closed. */
    static StopSignals onStop(Consumer<Stop> action) {
        return new StopSignals(action);
    }

    /**
     * On SIGINT or SIGTERM: prints "jahci: stopped by SIG...: " and {@code doneSoFar} on {@code err}, then exits
     * with {@link Stop#exitCode()}.
     */
    static StopSignals summarizeAndExit(PrintWriter err, Supplier<String> doneSoFar) {
        return new StopSignals(stop -> exit(err, stop, doneSoFar.get()));
    }

    /**
     * Prints "jahci: stopped by SIG...: " and {@code doneSoFar} on {@code err} and exits with {@link Stop#exitCode()};
     * the shutdown hooks release the device. On the signal-dispatch thread.
     */
    static void exit(PrintWriter err, Stop stop, String doneSoFar) {
        stopping = true;
        err.println();
        err.println("jahci: stopped by " + stop + ": " + doneSoFar);
        err.flush();
        System.exit(stop.exitCode());
    }

    /** Whether a stop signal is ending the JVM: errors the command runs into now are consequences, not news. */
    static boolean stopping() {
        return stopping;
    }

    @Override
    public void close() {
        if (previousInt != null) {
            Signal.handle(new Signal("INT"), previousInt);
        }
        if (previousTerm != null) {
            Signal.handle(new Signal("TERM"), previousTerm);
        }
    }
}
