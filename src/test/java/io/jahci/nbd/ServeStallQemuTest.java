package io.jahci.nbd;

import io.jahci.hw.qemu.QemuConfig;
import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.jahci.nbd.NbdProtocol.CMD_FLUSH;
import static io.jahci.nbd.NbdProtocol.CMD_READ;
import static io.jahci.nbd.NbdProtocol.EIO;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `jahci serve` with a client attached while QEMU stops answering (SIGSTOP) for longer than the
 * register-access limit (shortened to 2 s through JAHCI_QEMU_REPLY_TIMEOUT_MS): the client's read
 * is answered with EIO instead of hanging, the server still stops on SIGTERM, and the writes the
 * client had flushed before the stall are in the image.
 */
@Tag("qemu")
class ServeStallQemuTest {
    private static final int BLOCK = 4096;
    private static final int BLOCKS = 16;

    @TempDir
    Path dir;

    @Test
    void aStallLongerThanTheLimitAnswersTheClientWithEioAndTheServerStillStops() throws Exception {
        Path image = Images.create(dir, "a.img", 16 << 20);
        Path socket = dir.resolve("j.sock");
        Path err = dir.resolve("serve.err");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.jahci.cli.Main",
                "--device", "qemu:" + image, "serve", "--port", "0", "--unix", socket.toString(), "--allow-write")
                .redirectError(err.toFile());
        pb.environment().put(QemuConfig.REPLY_TIMEOUT_ENV, "2000");
        Process serve = pb.start();
        ProcessHandle qemu = null;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
            String ready = out.readLine();
            assertTrue(ready != null && ready.startsWith("serving port 0"), "the ready line; stderr: " + Files.readString(err));
            qemu = serve.toHandle().descendants()
                    .filter(p -> p.info().command().orElse("").contains("qemu-system")).findFirst()
                    .orElseThrow(() -> new AssertionError("no QEMU process under jahci serve"));
            try (RawClient c = RawClient.connect(socket).open("port0", true)) {
                for (int b = 0; b < BLOCKS; b++) {
                    c.write(b, (long) b * BLOCK, Images.random(b, BLOCK), 0);
                }
                for (int b = 0; b < BLOCKS; b++) {
                    assertEquals(0, c.reply(0).error(), "a write before the stall");
                }
                c.request(0, CMD_FLUSH, 100, 0, 0);
                assertEquals(0, c.reply(0).error(), "FLUSH before the stall");

                signal("STOP", qemu);
                c.request(0, CMD_READ, 101, 0, BLOCK);
                CompletableFuture<RawClient.Reply> reply = CompletableFuture.supplyAsync(() -> {
                    try {
                        return c.reply(0);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                RawClient.Reply r = reply.get(60, TimeUnit.SECONDS);
                signal("CONT", qemu);
                assertEquals(101, r.handle());
                assertEquals(EIO, r.error(), "the read during the stall fails with EIO; stderr: " + Files.readString(err));
            }
            serve.destroy(); // SIGTERM
            assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "jahci serve ended after SIGTERM; stderr: " + Files.readString(err));
            String log = Files.readString(err);
            assertTrue(log.contains("the controller is lost"), "the log names the fault: " + log);
            for (int b = 0; b < BLOCKS; b++) {
                assertArrayEquals(Images.random(b, BLOCK), Images.read(image, (long) b * BLOCK, BLOCK),
                        "block " + b + ", written and flushed before the stall, is in the image");
            }
        } finally {
            if (qemu != null && qemu.isAlive()) {
                signal("CONT", qemu);
            }
            serve.destroyForcibly();
            serve.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void signal(String name, ProcessHandle process) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + name + " " + process.pid());
    }
}
