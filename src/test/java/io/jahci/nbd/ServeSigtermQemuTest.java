package io.jahci.nbd;

import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.jahci.nbd.NbdProtocol.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * `jahci serve` as a user runs it (a separate JVM): it prints its ready line, and SIGTERM while a
 * client writes ends it with exit 0, every acknowledged write in the image, the socket removed.
 */
@Tag("qemu")
class ServeSigtermQemuTest {
    private static final int BLOCK = 4096;
    private static final int BLOCKS = 16384; // 64 MiB
    private static final int IN_FLIGHT = 8;

    @TempDir
    Path dir;

    private static byte[] pattern(int block) {
        return Images.random(1000 + block, BLOCK);
    }

    @Test
    void sigtermDuringWritesKeepsEveryAcknowledgedWriteAndExitsZero() throws Exception {
        Path image = Images.create(dir, "a.img", (long) BLOCK * BLOCKS);
        Path socket = dir.resolve("j.sock");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process serve = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.jahci.cli.Main",
                "--device", "qemu:" + image, "serve", "--port", "0", "--unix", socket.toString(), "--allow-write")
                .redirectError(dir.resolve("serve.err").toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
            String ready = out.readLine();
            assertEquals("serving port 0 (64 MiB, read-write) at nbd+unix:///port0?socket=" + socket, ready,
                    "the ready line; stderr: " + Files.readString(dir.resolve("serve.err")));

            ConcurrentHashMap<Integer, Boolean> acked = new ConcurrentHashMap<>();
            CountDownLatch enough = new CountDownLatch(200);
            CompletableFuture<String> writer = CompletableFuture.supplyAsync(() -> writeUntilClosed(socket, acked, enough));
            assertTrue(enough.await(60, TimeUnit.SECONDS), "200 writes acknowledged");
            serve.destroy(); // SIGTERM
            assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "jahci serve ended after SIGTERM");
            String err = Files.readString(dir.resolve("serve.err"));
            assertEquals(0, serve.exitValue(), err);
            String why = writer.get(60, TimeUnit.SECONDS);
            assertFalse(Files.exists(socket), "the socket is removed");
            assertTrue(acked.size() >= 200);
            for (int block : acked.keySet()) {
                assertArrayEquals(pattern(block), Images.read(image, (long) block * BLOCK, BLOCK),
                        "acknowledged block " + block + " is in the image (" + acked.size() + " acknowledged; the "
                                + "client stopped: " + why + ")");
            }
        } finally {
            serve.destroyForcibly();
            serve.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Writes block after block, IN_FLIGHT at once, until the server ends the connection; returns why it ended. */
    private static String writeUntilClosed(Path socket, ConcurrentHashMap<Integer, Boolean> acked, CountDownLatch enough) {
        try (RawClient c = RawClient.connect(socket).open("port0", true)) {
            int next = 0;
            for (; next < IN_FLIGHT; next++) {
                c.write(next, (long) next * BLOCK, pattern(next), 0);
            }
            while (true) {
                RawClient.Reply r = c.reply(0);
                if (r.error() != 0) {
                    assertEquals(ESHUTDOWN, r.error(), "a write refused at shutdown says ESHUTDOWN");
                } else {
                    acked.put((int) r.handle(), true);
                    enough.countDown();
                }
                int block = next++ % BLOCKS;
                c.write(block, (long) block * BLOCK, pattern(block), 0);
            }
        } catch (IOException e) {
            return e.toString();
        }
    }
}
