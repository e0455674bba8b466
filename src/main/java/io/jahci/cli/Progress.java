package io.jahci.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * How far a long command got, on stderr while it runs, with how fast it goes and when it will be done: on a
 * terminal one line rewritten in place at most 10 times a second; otherwise a line each time another tenth is done
 * (every {@link #UNBOUNDED_LINE_NANOS} when the total is not known), so a log or a watching process sees it move.
 * The rate (e.g. {@code 41.9 MB/s}, {@code 2170 IOPS}) is over the current phase so far, and the ETA assumes it
 * stays. The latest state is also the summary {@link StopSignals} prints when a signal ends the command.
 *
 * <p>{@link #update} is called by one thread at a time (the command's, or the {@link #tick} thread); {@link #summary}
 * may be called from any thread.
 */
final class Progress {
    /** Without a known total, a non-terminal line this often. */
    static final long UNBOUNDED_LINE_NANOS = 5_000_000_000L;

    /** The words for one state, e.g. {@code scanned 1200/16384 sectors (7%), 0 bad}. */
    @FunctionalInterface
    interface Text {
        String of(long done, long total, long extra);
    }

    /** How fast, in words ({@code 12.3 MB/s}), from the state and the seconds since the phase began. */
    @FunctionalInterface
    interface Rate {
        String of(long done, long extra, double seconds);
    }

    private final PrintWriter err;
    private final boolean terminal;
    private final LongSupplier clock;
    private volatile Text text;
    private volatile Rate rate;
    private volatile long began;
    private volatile long done;
    private volatile long total;
    private volatile long extra;
    private long lastPrint;
    private long lastTenth;

    Progress(PrintWriter err, Text text, Rate rate) {
        this(err, text, rate, System.console() != null, System::nanoTime);
    }

    Progress(PrintWriter err, Text text, Rate rate, boolean terminal, LongSupplier clock) {
        this.err = err;
        this.text = text;
        this.rate = rate;
        this.terminal = terminal;
        this.clock = clock;
        this.began = clock.getAsLong();
        this.lastPrint = began;
    }

    /** {@code done} counts units of {@code bytes} (e.g. sectors): megabytes (10^6) per second. */
    static Rate megabytes(long bytes) {
        return (done, extra, seconds) -> String.format(Locale.ROOT, "%.1f MB/s", done * (double) bytes / 1e6 / seconds);
    }

    /** {@code done} counts {@code what} (e.g. events): how many per second. */
    static Rate perSecond(String what) {
        return (done, extra, seconds) -> String.format(Locale.ROOT, "%.0f %s/s", done / seconds, what);
    }

    /** {@code extra} counts I/Os (done is time): I/Os per second. */
    static Rate iops() {
        return (done, extra, seconds) -> String.format(Locale.ROOT, "%.0f IOPS", extra / seconds);
    }

    /** Starts another phase (e.g. verify's read-back after its writes), counted from 0 again, its rate too. */
    void phase(Text next, Rate nextRate) {
        text = next;
        rate = nextRate;
        lastTenth = 0;
        done = 0;
        extra = 0;
        began = clock.getAsLong();
    }

    void update(long done, long total, long extra) {
        this.done = done;
        this.total = total;
        this.extra = extra;
        long now = clock.getAsLong();
        if (terminal) {
            if (now - lastPrint > 100_000_000L) {
                lastPrint = now;
                err.print("\r\033[K" + summary());
                err.flush();
            }
        } else if (total > 0 ? done * 10 / total > lastTenth : now - lastPrint >= UNBOUNDED_LINE_NANOS) {
            lastTenth = total > 0 ? done * 10 / total : lastTenth;
            lastPrint = now;
            err.println(summary());
            err.flush();
        }
    }

    /**
     * Calls {@link #update} with {@code done.getAsLong()} of {@code total} every {@code periodMillis} on a daemon
     * thread, until closed: for a command whose work runs on threads that must not print. The thread is named
     * {@code progress}, outside the {@code jahci-} names the benchmarks count per role ({@code TaskStats}). PASSIVE.
     */
    AutoCloseable tick(LongSupplier done, long total, long periodMillis) {
        Thread ticker = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(periodMillis);
                    update(done.getAsLong(), total, 0);
                }
            } catch (InterruptedException e) {
                // closed
            }
        }, "progress");
        ticker.setDaemon(true);
        ticker.start();
        return () -> {
            ticker.interrupt();
            ticker.join();
        };
    }

    /** The latest state in words, with the rate and the ETA once something was done. */
    String summary() {
        long d = done;
        long t = total;
        String words = text.of(d, t, extra);
        double seconds = (clock.getAsLong() - began) / 1e9;
        if (d <= 0 || seconds <= 0) {
            return words;
        }
        Rate r = rate;
        String pace = r == null ? "" : r.of(d, extra, seconds);
        if (t > d) {
            pace += (pace.isEmpty() ? "" : ", ") + "ETA " + clockTime(seconds * (t - d) / d);
        }
        return pace.isEmpty() ? words : words + "; " + pace;
    }

    /** Clears the terminal line; nothing otherwise. */
    void done() {
        if (terminal) {
            err.print("\r\033[K");
            err.flush();
        }
    }

    /** {@code done*100/total} as a whole percentage. */
    static long percent(long done, long total) {
        return total == 0 ? 100 : done * 100 / total;
    }

    /** {@code 0:07}, {@code 12:30}, {@code 1:02:03}. */
    static String clockTime(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
