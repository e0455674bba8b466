package io.jahci.cli;

import java.io.PrintWriter;

/**
 * How far a long command got, on stderr while it runs: on a terminal one line rewritten in place at most 10 times a
 * second; otherwise a line each time another tenth is done (so a log or a watching process sees it move). The
 * latest state is also the summary {@link StopSignals} prints when a signal ends the command.
 *
 * <p>{@link #update} is called on the command's (caller's) thread; {@link #summary} may be called from any thread.
 */
final class Progress {
    /** The words for one state, e.g. {@code scanned 1200/16384 sectors (7%), 0 bad}. */
    @FunctionalInterface
    interface Text {
        String of(long done, long total, long extra);
    }

    private final PrintWriter err;
    private final boolean terminal;
    private volatile Text text;
    private volatile long done;
    private volatile long total;
    private volatile long extra;
    private long lastPrint;
    private long lastTenth;

    Progress(PrintWriter err, Text text) {
        this(err, text, System.console() != null);
    }

    Progress(PrintWriter err, Text text, boolean terminal) {
        this.err = err;
        this.text = text;
        this.terminal = terminal;
    }

    /** Starts another phase (e.g. verify's read-back after its writes), counted from 0 again. */
    void phase(Text next) {
        text = next;
        lastTenth = 0;
        done = 0;
    }

    void update(long done, long total, long extra) {
        this.done = done;
        this.total = total;
        this.extra = extra;
        if (terminal) {
            long now = System.nanoTime();
            if (now - lastPrint > 100_000_000L) {
                lastPrint = now;
                err.print("\r" + summary());
                err.flush();
            }
        } else if (total > 0 && done * 10 / total > lastTenth) {
            lastTenth = done * 10 / total;
            err.println(summary());
            err.flush();
        }
    }

    /** The latest state in words. */
    String summary() {
        return text.of(done, total, extra);
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
}
