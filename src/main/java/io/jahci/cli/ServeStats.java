package io.jahci.cli;

import io.jahci.bench.IoCosts;
import io.jahci.nbd.NbdServer;
import io.jahci.nbd.RequestCounts;
import io.jahci.platform.Json;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code jahci serve --stats}: what one NBD request cost over each interval and once more at exit,
 * as text or as one JSON document per interval ({@code --json}, docs/json.md): requests by type,
 * then per request the thread switches, CPU time and bytes allocated of the port's, the transport's
 * and the server's own threads ({@code nbd}), interrupts and register accesses ({@link IoCosts}).
 * Every counter is read at the intervals' edges and as a server thread ends, never per request.
 *
 * <p>The edges run on the command's thread (role {@code other}, PASSIVE), which otherwise only waits
 * for the stop signal; the server's threads call {@link #threadEnding()} as they end.
 */
final class ServeStats {
    /** The version of the --json document's layout (docs/json.md). */
    static final int SCHEMA = 1;

    private final IoCosts costs;
    private final Duration interval;
    private final PrintWriter out;
    /** The head of each --json document, or null for text. */
    private final Map<String, Object> head;
    private NbdServer server;
    private RequestCounts requestsBefore = RequestCounts.ZERO;
    private long startedNanos;
    private int printed;

    /** @param head the head of each document ({@link JsonDocument}) for --json, or null for text */
    ServeStats(IoCosts costs, Duration interval, PrintWriter out, Map<String, Object> head) {
        this.costs = costs;
        this.interval = interval;
        this.out = out;
        this.head = head;
    }

    /** What each of the server's threads runs as it ends: leaves its counts to the next edge. PASSIVE. */
    void threadEnding() {
        costs.threadEnding();
    }

    /** The first interval starts now, before {@code server} starts its threads. The command's thread. */
    void start(NbdServer server) throws IOException {
        this.server = server;
        startedNanos = System.nanoTime();
        costs.start();
    }

    /**
     * Prints an interval each time {@code interval} passes until {@code stop} opens; the intervals
     * are kept on a fixed schedule from {@link #start}. The command's thread.
     */
    void printUntil(CountDownLatch stop) throws IOException, InterruptedException {
        long next = startedNanos;
        while (true) {
            next += interval.toNanos();
            if (stop.await(Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return;
            }
            print(false);
        }
    }

    /**
     * Ends the current interval now and prints it ({@code last}: the one at exit, after the server
     * shut down); the next one starts at the same moment. The command's thread.
     */
    void print(boolean last) throws IOException {
        RequestCounts now = server.requests();
        RequestCounts requests = now.since(requestsBefore);
        long n = requests.total();
        IoCosts.PerCommand perRequest = costs.next(Math.max(1, n));
        long at = System.nanoTime();
        double seconds = (at - startedNanos) / 1e9;
        startedNanos = at;
        requestsBefore = now;
        printed++;
        if (head != null) {
            Map<String, Object> doc = Json.object();
            doc.putAll(head);
            doc.put("interval", printed);
            doc.put("final", last);
            doc.put("seconds", Json.fixed(seconds, 3));
            doc.put("requests", requests.toJson());
            IoCosts.PerCommand.putJson(doc, "Request", perRequest, n);
            out.println(Json.write(doc));
        } else {
            out.printf(Locale.ROOT, "stats %s (%.1f s): %s%n", last ? "at exit" : printed, seconds, n == 0 ? "no requests"
                    : String.format(Locale.ROOT, "%d requests (read %d, write %d, flush %d, trim %d, write zeroes %d, "
                    + "other %d)", n, requests.read(), requests.write(), requests.flush(), requests.trim(),
                    requests.writeZeroes(), requests.other()));
            for (String line : n > 0 ? perRequest.text("request") : perRequest.windowText()) {
                out.println("  " + line);
            }
        }
        out.flush();
    }
}
