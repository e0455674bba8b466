package io.jahci.nbd;

import io.jahci.disk.Controller;
import io.jahci.disk.DeviceSpec;
import io.jahci.disk.OpenOptions;
import io.jahci.testing.Images;
import io.jahci.testing.ThreadAllocation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.jahci.nbd.NbdProtocol.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * NBD request handling allocates nothing in steady state: over thousands of READs and WRITEs (in
 * place and through the large buffer), FUA writes (emulated with a FLUSH on QEMU's disk, which has
 * no FUA), FLUSHes, TRIMs and WRITE_ZEROES, kept 9 deep, the connection's loop thread and the port's
 * interrupt, DISPATCH and timer threads allocate less than one byte per request: any object made
 * per request (16 bytes at least) breaks the bound, while the JVM's rare bookkeeping charged to a
 * thread at a safepoint does not (see PortLayerPlumbingQemuTest). The client here is the test's own
 * raw socket client: only the server's threads are measured.
 */
@Tag("qemu")
class NbdAllocationQemuTest {
    private static final int ROUNDS_WARM = 500;
    private static final int ROUNDS = 600;

    @TempDir
    Path dir;

    @Test
    void readsWritesFuaAndFlushAllocateNothingOnTheServersThreads() throws Exception {
        Path image = Images.create(dir, "a.img", 128L << 20);
        StringWriter log = new StringWriter();
        // The verifier's costly checks off, as `jahci serve` runs by default: under a loaded host the
        // qtest round trips make ISRs overrun the verifier's budget, and each warning's message is
        // an allocation on the interrupt thread (the misuse rules stay checked).
        OpenOptions options = OpenOptions.builder().allowWrite(true).verifier(false).build();
        try (Controller controller = Controller.open(DeviceSpec.parse("qemu:" + image), options)) {
            NbdServer server = new NbdServer(List.of(new NbdExport(controller.disk(0), List.of("port0"), true)),
                    new PrintWriter(log, true));
            Path socket = dir.resolve("nbd.sock");
            server.listenUnix(socket);
            server.start();
            try (RawClient client = RawClient.connect(socket).open("port0", true)) {
                byte[] small = Images.random(5, 4096);
                byte[] large = Images.random(6, 512 << 10);
                rounds(client, ROUNDS_WARM, small, large);
                Map<Long, String> named = ThreadAllocation.threadsNamed("jahci-nbd-", "jahci-irq", "jahci-dispatch",
                        "jahci-timer");
                List<Long> threads = ThreadAllocation.ids(named);
                assertTrue(named.values().stream().anyMatch(n -> n.matches("jahci-nbd-\\d+")), "the client's loop: " + named);
                long[] before = ThreadAllocation.allocated(threads);
                int requests = rounds(client, ROUNDS, small, large);
                long[] after = ThreadAllocation.allocated(threads);
                StringBuilder report = new StringBuilder();
                for (int i = 0; i < threads.size(); i++) {
                    report.append(named.get(threads.get(i))).append(": ").append(after[i] - before[i]).append(" bytes; ");
                }
                for (int i = 0; i < threads.size(); i++) {
                    assertTrue(after[i] - before[i] < requests, named.get(threads.get(i)) + " allocated "
                            + (after[i] - before[i]) + " bytes over " + requests + " requests, something allocates "
                            + "per request. All: " + report);
                }
                System.out.println("NBD allocation over " + requests + " requests: " + report);
            } finally {
                assertTrue(server.shutdown(), log.toString());
            }
        }
        assertFalse(log.toString().contains("failed"), log.toString());
    }

    /**
     * Rounds of nine requests sent back to back (by another thread, as a client reads its replies
     * while it sends), then their nine replies (in any order): READ 4 KiB, WRITE 4 KiB, WRITE 4 KiB
     * with FUA, READ 128 KiB, READ and WRITE 512 KiB (beyond one context's buffer: the large path),
     * FLUSH, TRIM 64 KiB, and WRITE_ZEROES 512 KiB with NO_HOLE and FUA (two writes of zeroes and a
     * FLUSH through one reserved command). Returns the number of requests.
     */
    private static int rounds(RawClient client, int rounds, byte[] small, byte[] large) throws Exception {
        ExecutorService sending = Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < rounds; round++) {
                long base = (round % 32) * (1L << 20);
                Future<?> sent = sending.submit(() -> {
                    client.request(0, CMD_READ, 1, base, 4096);
                    client.write(2, base + 4096, small, 0);
                    client.write(3, base + 8192, small, CMD_FLAG_FUA);
                    client.request(0, CMD_READ, 4, base + 65536, 128 << 10);
                    client.request(0, CMD_READ, 5, (32L << 20) + base, 512 << 10);
                    client.write(6, (32L << 20) + base + (512 << 10), large, 0);
                    client.request(0, CMD_FLUSH, 7, 0, 0);
                    client.request(0, CMD_TRIM, 8, (64L << 20) + base, 64 << 10);
                    client.request(CMD_FLAG_NO_HOLE | CMD_FLAG_FUA, CMD_WRITE_ZEROES, 9, (64L << 20) + base + (64 << 10),
                            512 << 10);
                    return null;
                });
                receiveRound(client, round);
                sent.get();
            }
        } finally {
            sending.shutdownNow();
        }
        return rounds * 9;
    }

    private static void receiveRound(RawClient client, int round) throws Exception {
        long seen = 0;
        for (int i = 0; i < 9; i++) {
            RawClient.Reply r = client.reply(0);
            assertEquals(0, r.error(), "request " + r.handle() + " of round " + round);
            seen |= 1L << r.handle();
        }
        assertEquals(0b11_1111_1110, seen, "every handle answered once");
    }
}
