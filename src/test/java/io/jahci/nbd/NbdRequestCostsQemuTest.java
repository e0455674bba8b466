package io.jahci.nbd;

import io.jahci.bench.IoCosts;
import io.jahci.disk.Controller;
import io.jahci.disk.DeviceSpec;
import io.jahci.disk.OpenOptions;
import io.jahci.hw.RegisterCounts;
import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jahci.nbd.NbdProtocol.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * What `jahci serve --stats` reports per NBD request, against counts taken another way: a real NBD
 * client (the test's raw socket client) sends reads one at a time, in interrupt mode, with the
 * window's edges where the test puts them. The requests counted are the ones the client sent; each
 * costs one or two interrupts (IoCostsTest's bound for one command in flight); the server's threads
 * (`nbd`) switch at least once per request (the loop waits for the next one) and no more than
 * /proc/self/task/TID/status of those threads counted around the window; and a client that came and
 * went inside a window is counted there, from what its threads left as they ended.
 */
@Tag("qemu")
class NbdRequestCostsQemuTest {
    private static final int REQUESTS = 300;
    private static final Pattern VOLUNTARY = Pattern.compile("(?m)^voluntary_ctxt_switches:\\s+(\\d+)$");

    @TempDir
    Path dir;

    @Test
    void perRequestCostsAgainstTheClientProcAndInterrupts() throws Exception {
        RegisterCounts counts = new RegisterCounts();
        Path image = Images.create(dir, "a.img", 64L << 20);
        StringWriter log = new StringWriter();
        OpenOptions options = OpenOptions.builder().allowWrite(true).verifier(false).countRegisterAccesses(counts)
                .completion("interrupt").build();
        try (Controller controller = Controller.open(DeviceSpec.parse("qemu:" + image), options)) {
            IoCosts costs = IoCosts.forServer(counts, controller::interruptsServiced);
            NbdServer server = new NbdServer(List.of(new NbdExport(controller.disk(0), List.of("port0"), true)),
                    new PrintWriter(log, true), costs::threadEnding);
            Path socket = dir.resolve("nbd.sock");
            server.listenUnix(socket);
            costs.start();
            server.start();
            try {
                // a client that connects, reads and leaves inside the window
                try (RawClient a = RawClient.connect(socket).open("port0", false)) {
                    reads(a, REQUESTS);
                    a.request(0, CMD_DISC, 0, 0, 0);
                    assertTrue(a.closedByServer(), "the server closes after NBD_CMD_DISC");
                }
                awaitNoClients(server);
                RequestCounts first = server.requests();
                IoCosts.PerCommand ended = costs.next(first.total());
                assertEquals(new RequestCounts(REQUESTS, 0, 0, 0, 0, 0), first, "the requests the client sent");
                assertTrue(ended.switchesVoluntary().get("nbd") >= 1.0, "the ended client's loop waited once per "
                        + "request at least: " + ended);
                assertInterruptsPerRequest(ended);
                assertFalse(ended.exitedThreads().toString().contains("jahci-nbd"), ended.toString());

                // a client connected across the window: its threads and the acceptor read from /proc around it
                try (RawClient b = RawClient.connect(socket).open("port0", false)) {
                    reads(b, 1); // the loop has set up its connection: what follows is steady state
                    List<Integer> tids = awaitTasks("jahci-nbd-2", "jahci-nbd-accep");
                    long before = voluntary(tids);
                    costs.next(1);
                    RequestCounts from = server.requests();
                    reads(b, REQUESTS);
                    RequestCounts requests = server.requests().since(from);
                    IoCosts.PerCommand live = costs.next(requests.total());
                    long after = voluntary(tids);
                    assertEquals(new RequestCounts(REQUESTS, 0, 0, 0, 0, 0), requests, "the requests the client sent");
                    double nbd = live.switchesVoluntary().get("nbd") * REQUESTS;
                    assertTrue(nbd >= REQUESTS, "at least one switch per request: " + live);
                    assertTrue(nbd <= after - before + 1e-6, "nbd counted " + nbd + " voluntary switches, /proc of "
                            + tids + " " + (after - before) + " around the window: " + live);
                    assertInterruptsPerRequest(live);
                }
            } finally {
                assertTrue(server.shutdown(), log.toString());
            }
        }
        assertFalse(log.toString().contains("failed"), log.toString());
    }

    private static void assertInterruptsPerRequest(IoCosts.PerCommand c) {
        assertTrue(c.interrupts() >= 1.0 && c.interrupts() <= 2.0, "one request in flight: 1 to 2 interrupts each: " + c);
    }

    /** {@code n} 4 KiB reads, each sent after the previous one's reply: one request in flight. */
    private static void reads(RawClient c, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            c.request(0, CMD_READ, i, (long) (i % 1024) * 4096, 4096);
            RawClient.Reply r = c.reply(4096);
            assertEquals(0, r.error(), "read " + i);
            assertEquals(i, r.handle());
        }
    }

    /** Until the server has no client (its loop left its counts before it says so); at most 30 s. */
    private static void awaitNoClients(NbdServer server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.clients() != 0) {
            assertTrue(System.nanoTime() < deadline, "the client's connection did not end");
            Thread.sleep(5);
        }
    }

    /** The tids of this process's tasks whose comm starts with each of {@code prefixes}, once all exist; at most 30 s. */
    private static List<Integer> awaitTasks(String... prefixes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            List<Integer> tids = new ArrayList<>();
            for (String prefix : prefixes) {
                try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
                    for (Path t : tasks) {
                        try {
                            if (Files.readString(t.resolve("comm")).startsWith(prefix)) {
                                tids.add(Integer.parseInt(t.getFileName().toString()));
                            }
                        } catch (NoSuchFileException gone) {
                            // a task that ended while listed
                        }
                    }
                }
            }
            if (tids.size() == prefixes.length) {
                return tids;
            }
            assertTrue(System.nanoTime() < deadline, "threads " + List.of(prefixes) + " not all there: " + tids);
            Thread.sleep(5);
        }
    }

    /** The voluntary switches of tasks {@code tids} together, from /proc/self/task/TID/status. */
    private static long voluntary(List<Integer> tids) throws IOException {
        long sum = 0;
        for (int tid : tids) {
            Matcher m = VOLUNTARY.matcher(Files.readString(Path.of("/proc/self/task/" + tid + "/status")));
            assertTrue(m.find(), "no voluntary_ctxt_switches for task " + tid);
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }
}
