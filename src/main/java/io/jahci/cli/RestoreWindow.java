package io.jahci.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * SIGINT and SIGTERM around a command that overwrites sectors for a while and then puts the originals back
 * ({@code demo}). Outside the window a signal stops the command at once ({@link StopSignals#exit}). Inside it, from
 * {@link #enter} (before the originals are saved) to {@link #leave} (after the restore), the first signal is only recorded:
 * the command skips what is left, restores, and ends with the signal's exit status. A second signal inside the
 * window stops at once, after printing where the original sectors are saved and how to put them back.
 *
 * <p>The restore cannot be a shutdown hook: the hooks run concurrently and in no order, and one of them stops QEMU
 * or releases the VFIO/UIO device ({@code ReleaseOnExit}). So it runs on the command's thread while the controller
 * is still open, and the JVM exits only after it.
 *
 * <p>{@link #enter} and the handler decide under one lock, so a signal either stops the command before its first
 * write or is deferred until the restore; never both, never neither. Handlers run on the JVM's signal-dispatch thread;
 * the other methods on the command's thread (PASSIVE).
 */
final class RestoreWindow implements AutoCloseable {
    private final Object lock = new Object();
    private final PrintWriter err;
    private final CountDownLatch recorded = new CountDownLatch(1);
    private final StopSignals signals;
    /** Guarded by lock: whether the command is between its first write and the end of its restore. */
    private boolean inside;
    /** Guarded by lock: what stop to print when a signal ends the command inside the window. */
    private String ifStoppedInside = "nothing was written";
    private volatile StopSignals.Stop stop;

    /** What a signal before the window prints as done so far. */
    private final String before;

    private RestoreWindow(PrintWriter err, String before) {
        this.err = err;
        this.before = before;
        this.signals = StopSignals.onStop(this::onSignal);
    }

    /**
     * Handles SIGINT and SIGTERM until {@link #close}; outside the window they stop the command at once, printing
     * {@code before} as what was done so far.
     */
    static RestoreWindow install(PrintWriter err, String before) {
        return new RestoreWindow(err, before);
    }

    private void onSignal(StopSignals.Stop signal) {
        synchronized (lock) {
            if (inside && stop == null) {
                stop = signal;
                err.println("jahci: " + signal + ": putting the original sectors back first (" + signal
                        + " again stops at once)");
                err.flush();
                recorded.countDown();
                return;
            }
            // Exits with the lock held: a command about to enter the window waits for it and never writes.
            StopSignals.exit(err, signal, inside ? ifStoppedInside : before);
        }
    }

    /**
     * Before the original sectors are read and saved: returns false when a signal came already (then do nothing);
     * else the window is open, and a signal from now on is deferred until {@link #leave}.
     */
    boolean enter() {
        synchronized (lock) {
            if (stop != null) {
                return false;
            }
            inside = true;
            return true;
        }
    }

    /** What a second signal inside the window prints: where the original sectors are, how to put them back. */
    void ifStopped(String whereTheOriginalsAre) {
        synchronized (lock) {
            ifStoppedInside = whereTheOriginalsAre;
        }
    }

    /** After the restore (whether or not it worked): signals stop at once again. */
    void leave() {
        synchronized (lock) {
            inside = false;
        }
    }

    /** The signal recorded inside the window, if any: the command skips the rest and restores. */
    Optional<StopSignals.Stop> stop() {
        return Optional.ofNullable(stop);
    }

    /** Waits up to {@code timeout} for a signal inside the window; whether one came. */
    boolean awaitStop(long timeout, TimeUnit unit) throws InterruptedException {
        return recorded.await(timeout, unit);
    }

    @Override
    public void close() {
        signals.close();
    }
}
