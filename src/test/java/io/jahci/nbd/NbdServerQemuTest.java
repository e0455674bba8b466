package io.jahci.nbd;

import io.jahci.disk.Controller;
import io.jahci.disk.DeviceSpec;
import io.jahci.disk.OpenOptions;
import io.jahci.testing.ClientTools;
import io.jahci.testing.Images;
import io.jahci.testing.Leftovers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;

import static io.jahci.nbd.NbdProtocol.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * jahci's NBD server over QEMU's AHCI, used by real clients (nbdinfo, nbdcopy, qemu-io, qemu-img)
 * and by a raw-socket client that misbehaves. Port 0 is served read-write (also as the default
 * export), port 1 read-only.
 */
@Tag("qemu")
class NbdServerQemuTest {
    private static final long SIZE = 64L << 20;
    private static final long SIZE_RO = 8L << 20;

    @TempDir
    static Path dir;
    static Path image;
    static Path imageRo;
    static Path socket;
    static Controller controller;
    static NbdServer server;
    static final StringWriter log = new StringWriter();

    @BeforeAll
    static void serve() throws Exception {
        image = Images.create(dir, "a.img", SIZE);
        imageRo = Images.create(dir, "ro.img", SIZE_RO);
        Images.write(imageRo, 0, Images.random(3, (int) SIZE_RO));
        controller = Controller.open(DeviceSpec.parse("qemu:" + image + "," + imageRo), OpenOptions.readWrite());
        server = new NbdServer(List.of(new NbdExport(controller.disk(0), List.of("port0", ""), true),
                new NbdExport(controller.disk(1), List.of("port1"), false)), new PrintWriter(log, true));
        socket = dir.resolve("nbd.sock");
        server.listenUnix(socket);
        server.start();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (server != null) {
                assertTrue(server.shutdown(), log.toString());
                assertFalse(Files.exists(socket), "the socket is removed at shutdown");
            }
        } finally {
            if (controller != null) {
                controller.close();
            }
        }
        Leftovers.assertNone();
    }

    static String uri(String export) {
        return "nbd+unix:///" + export + "?socket=" + socket;
    }

    @Test
    void theSocketIsOwnerOnly() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    }

    @Test
    void nbdinfoSeesSizeBlockSizesAndTrueFlags() throws Exception {
        String rw = ClientTools.run("nbdinfo", "--json", uri("port0")).ok().output();
        assertTrue(rw.contains("\"export-size\": " + SIZE), rw);
        assertTrue(rw.contains("\"block_size_minimum\": 512"), rw);
        assertTrue(rw.contains("\"block_size_preferred\": 512"), rw);
        assertTrue(rw.contains("\"block_size_maximum\": " + (32 << 20)), rw);
        assertTrue(rw.contains("\"is_read_only\": false"), rw);
        assertTrue(rw.contains("\"can_flush\": true"), rw);
        assertTrue(rw.contains("\"can_fua\": true"), rw);
        assertTrue(rw.contains("\"can_multi_conn\": true"), rw);
        assertTrue(rw.contains("\"can_trim\": true"), "QEMU's disk has DSM TRIM: " + rw);
        assertTrue(rw.contains("\"can_zero\": true"), rw);
        String ro = ClientTools.run("nbdinfo", "--json", uri("port1")).ok().output();
        assertTrue(ro.contains("\"export-size\": " + SIZE_RO), ro);
        assertTrue(ro.contains("\"is_read_only\": true"), ro);
        assertTrue(ro.contains("\"can_flush\": false"), ro);
        assertTrue(ro.contains("\"can_trim\": false") && ro.contains("\"can_zero\": false"), ro);
        String list = ClientTools.run("nbdinfo", "--list", "--json", "nbd+unix:///?socket=" + socket).ok().output();
        assertTrue(list.contains("\"export-name\": \"port0\"") && list.contains("\"export-name\": \"port1\""), list);
        String dflt = ClientTools.run("nbdinfo", "--size", "nbd+unix:///?socket=" + socket).ok().output();
        assertEquals(String.valueOf(SIZE), dflt.trim(), "the default export \"\" is port 0");
    }

    @Test
    void tcpListensOnlyOnTheAddressGiven() throws Exception {
        NbdServer tcp = new NbdServer(List.of(new NbdExport(controller.disk(1), List.of("port1"), false)),
                new PrintWriter(log, true));
        tcp.listenTcp(new java.net.InetSocketAddress("127.0.0.1", 0));
        tcp.start();
        try {
            String uri = tcp.uri("port1");
            assertTrue(uri.matches("nbd://127\\.0\\.0\\.1:[0-9]+/port1"), uri);
            assertEquals(String.valueOf(SIZE_RO), ClientTools.run("nbdinfo", "--size", uri).ok().output().trim());
        } finally {
            assertTrue(tcp.shutdown());
        }
    }

    @Test
    void qemuIoPatternsReachTheImageAndReadBack() throws Exception {
        ClientTools.qemuIo(uri("port0"), List.of("write -P 0xab 1M 256k", "write -f -P 0x5c 2M 4k",
                "read -P 0xab 1M 256k", "read -P 0x5c 2M 4k", "flush")).ok();
        byte[] ab = Images.read(image, 1 << 20, 256 << 10);
        byte[] expected = new byte[ab.length];
        Arrays.fill(expected, (byte) 0xab);
        assertArrayEquals(expected, ab, "qemu-io's 0xab pattern in the image file");
        byte[] fua = Images.read(image, 2 << 20, 4096);
        byte[] expectedFua = new byte[4096];
        Arrays.fill(expectedFua, (byte) 0x5c);
        assertArrayEquals(expectedFua, fua, "the FUA write in the image file");
        ClientTools.Run wrong = ClientTools.qemuIo(uri("port0"), List.of("read -P 0xcd 1M 4k"));
        assertTrue(wrong.output().contains("Pattern verification failed"), "qemu-io's check can fail: " + wrong.output());
    }

    @Test
    void trimPunchesAHoleAndWriteZeroesReadsBackZeroes() throws Exception {
        Images.write(image, 24L << 20, Images.random(31, 8 << 20));
        long before = allocatedBlocks(image);
        ClientTools.qemuIo(uri("port0"), List.of("discard 24M 4M")).ok();
        long after = allocatedBlocks(image);
        assertTrue(after <= before - (4 << 20) / 512, "DSM TRIM punched a 4 MiB hole (QEMU discard=unmap): "
                + before + " -> " + after + " 512-byte blocks");
        ClientTools.qemuIo(uri("port0"), List.of("write -z 28M 2M", "write -z -u 30M 2M", "read -P 0 28M 4M")).ok();
        assertArrayEquals(new byte[4 << 20], Images.read(image, 28L << 20, 4 << 20), "zeroes in the image");
        try (RawClient c = RawClient.connect(socket).open("port1", false)) {
            c.request(0, CMD_TRIM, 1, 0, 4096);
            assertEquals(EPERM, c.reply(0).error(), "TRIM on the read-only export");
            c.request(0, CMD_WRITE_ZEROES, 2, 0, 4096);
            assertEquals(EPERM, c.reply(0).error(), "WRITE_ZEROES on the read-only export");
        }
        try (RawClient c = RawClient.connect(socket).open("port0", false)) {
            c.request(0, CMD_WRITE_ZEROES, 1, SIZE - 4096, 8192);
            assertEquals(ENOSPC, c.reply(0).error(), "WRITE_ZEROES past the end");
            c.request(0, CMD_TRIM, 2, SIZE - 4096, 8192);
            assertEquals(EINVAL, c.reply(0).error(), "TRIM past the end");
        }
    }

    private static long allocatedBlocks(Path file) throws Exception {
        return Long.parseLong(ClientTools.run("stat", "-c", "%b", file.toString()).ok().output().trim());
    }

    @Test
    void nbdcopyBothWaysByteForByte() throws Exception {
        Path in = dir.resolve("in.bin");
        Files.write(in, Images.random(11, 6 << 20));
        ClientTools.run("nbdcopy", in.toString(), uri("port0")).ok();
        assertArrayEquals(Files.readAllBytes(in), Images.read(image, 0, 6 << 20), "nbdcopy to the export");
        Images.write(image, 40L << 20, Images.random(12, 3 << 20));
        Path out = dir.resolve("out.bin");
        ClientTools.run("nbdcopy", uri("port0"), out.toString()).ok();
        assertEquals(Images.sha256(image), Images.sha256(out), "nbdcopy from the export: the whole image");
        assertTrue(ClientTools.run("qemu-img", "compare", "-f", "raw", "-F", "raw", out.toString(), uri("port0")).ok()
                .output().contains("Images are identical"));
        Path copyRo = dir.resolve("ro-out.bin");
        ClientTools.run("nbdcopy", uri("port1"), copyRo.toString()).ok();
        assertEquals(Images.sha256(imageRo), Images.sha256(copyRo), "the read-only export");
    }

    @Test
    void twoClientsAtOnce() throws Exception {
        Process a = ClientTools.start("qemu-io", "-f", "raw", "-c", "write -P 0x11 8M 2M", "-c", "read -P 0x11 8M 2M",
                uri("port0"));
        Process b = ClientTools.start("qemu-io", "-f", "raw", "-c", "write -P 0x22 12M 2M", "-c", "read -P 0x22 12M 2M",
                uri(""));
        try (RawClient raw = RawClient.connect(socket).open("port0", true)) {
            raw.request(0, CMD_READ, 1, 0, 64 << 10);
            assertEquals(0, raw.reply(64 << 10).error(), "a third client is served meanwhile");
        }
        ClientTools.finish(a, "qemu-io a").ok();
        ClientTools.finish(b, "qemu-io b").ok();
        byte[] ones = new byte[2 << 20];
        Arrays.fill(ones, (byte) 0x11);
        byte[] twos = new byte[2 << 20];
        Arrays.fill(twos, (byte) 0x22);
        assertArrayEquals(ones, Images.read(image, 8 << 20, 2 << 20));
        assertArrayEquals(twos, Images.read(image, 12 << 20, 2 << 20));
    }

    @Test
    void repliesComeAsCommandsCompleteWithTheirHandles() throws Exception {
        byte[] data = Images.random(21, 128 << 10);
        Images.write(image, 20L << 20, data);
        try (RawClient c = RawClient.connect(socket).open("port0", false)) {
            for (int i = 0; i < 16; i++) {
                c.request(0, CMD_READ, 100 + i, (20L << 20) + i * (8 << 10), 8 << 10);
            }
            boolean[] seen = new boolean[16];
            for (int i = 0; i < 16; i++) {
                RawClient.Reply r = c.reply(8 << 10);
                int k = (int) (r.handle() - 100);
                assertFalse(seen[k], "one reply per handle");
                seen[k] = true;
                assertEquals(0, r.error());
                assertArrayEquals(Arrays.copyOfRange(data, k * (8 << 10), (k + 1) * (8 << 10)), r.data());
            }
            c.request(0, CMD_DISC, 0, 0, 0);
            assertTrue(c.closedByServer(), "DISC closes the connection");
        }
    }

    /**
     * Many requests in one write: the loop reads them through its read-ahead buffer, so WRITE
     * payloads arrive partly in that buffer (copied into the request's data buffer) and partly
     * from the socket; the second WRITE's payload straddles the buffer's end, a refused WRITE's
     * payload is dropped from it, a WRITE larger than one command goes through the large buffer.
     */
    @Test
    void requestsSentInOneWriteAcrossTheReadAheadBufferLandWhereTheySay() throws Exception {
        long base = 48L << 20;
        byte[] before = Images.random(41, 8 << 10);
        Images.write(image, base + (4 << 20), before);
        int[] lengths = {4096, 4096, 512, 3 * 512, (256 << 10) + 4096, 1024, 8192};
        byte[][] data = new byte[lengths.length][];
        int bytes = 0;
        for (int i = 0; i < lengths.length; i++) {
            data[i] = Images.random(50 + i, lengths[i]);
            bytes += REQUEST_BYTES + lengths[i];
        }
        ByteBuffer all = ByteBuffer.allocate(bytes + 3 * REQUEST_BYTES + 700);
        long offset = base;
        for (int i = 0; i < lengths.length; i++) {
            putRequest(all, CMD_WRITE, i, offset, lengths[i]).put(data[i]);
            offset += lengths[i];
            if (i == 1) {
                putRequest(all, CMD_READ, 100, base + (4 << 20), 4096);
                putRequest(all, CMD_WRITE, 101, base, 700).put(new byte[700]); // misaligned: refused, dropped
                putRequest(all, CMD_READ, 102, base + (4 << 20) + 4096, 4096);
            }
        }
        assertTrue(REQUEST_BYTES + lengths[0] < RequestIntake.READ_AHEAD_BYTES
                && 2 * REQUEST_BYTES + lengths[0] + lengths[1] > RequestIntake.READ_AHEAD_BYTES,
                "the second payload straddles the read-ahead buffer's end");
        try (RawClient c = RawClient.connect(socket).open("port0", true)) { // READ replies say their length
            c.write(all.flip());
            for (int i = 0; i < lengths.length + 3; i++) {
                RawClient.Reply r = c.reply(0);
                int k = (int) r.handle();
                if (k == 101) {
                    assertEquals(EINVAL, r.error(), "the misaligned WRITE");
                } else if (k >= 100) {
                    assertEquals(0, r.error());
                    int from = (k - 100) / 2 * 4096;
                    assertArrayEquals(Arrays.copyOfRange(before, from, from + 4096), r.data(),
                            "READ " + k);
                } else {
                    assertEquals(0, r.error(), "WRITE " + k);
                }
            }
            offset = base;
            for (int i = 0; i < lengths.length; i++) {
                c.request(0, CMD_READ, 200 + i, offset, lengths[i]);
                RawClient.Reply r = c.reply(0);
                assertEquals(200 + i, r.handle());
                assertArrayEquals(data[i], r.data(), "the data of WRITE " + i + " (" + lengths[i] + " bytes) reads back");
                offset += lengths[i];
            }
        }
    }

    private static ByteBuffer putRequest(ByteBuffer b, int type, long handle, long offset, int length) {
        return b.putInt(REQUEST_MAGIC).putShort((short) 0).putShort((short) type).putLong(handle).putLong(offset)
                .putInt(length);
    }

    @Test
    void badRequestsGetTheirErrorsAndTheConnectionGoesOn() throws Exception {
        try (RawClient c = RawClient.connect(socket).open("port0", true)) {
            c.request(0, CMD_READ, 1, SIZE - 512, 1024);
            assertEquals(EINVAL, c.reply(0).error(), "read past the end");
            c.write(2, SIZE - 512, new byte[1024], 0);
            assertEquals(ENOSPC, c.reply(0).error(), "write past the end");
            c.request(0, CMD_READ, 3, 100, 512);
            assertEquals(EINVAL, c.reply(0).error(), "misaligned offset");
            c.write(4, 4096, new byte[700], 0);
            assertEquals(EINVAL, c.reply(0).error(), "misaligned length (its payload is read and dropped)");
            c.request(0, CMD_READ, 5, 0, 0);
            assertEquals(EINVAL, c.reply(0).error(), "zero length");
            c.request(0, CMD_READ, 6, 0, (32 << 20) + 512);
            assertEquals(EINVAL, c.reply(0).error(), "longer than the maximum block size");
            c.request(0, 99, 7, 0, 0);
            assertEquals(EINVAL, c.reply(0).error(), "unknown command");
            c.request(0, 5, 8, 0, 4096);
            assertEquals(EINVAL, c.reply(0).error(), "CACHE is not offered");
            c.request(1 << 9, CMD_READ, 9, 0, 512);
            assertEquals(EINVAL, c.reply(0).error(), "unknown command flag");
            c.request(0, CMD_FLUSH, 10, 0, 0);
            assertEquals(0, c.reply(0).error(), "and then a good one");
            c.request(0, CMD_READ, 11, 0, 512);
            RawClient.Reply r = c.reply(0);
            assertEquals(11, r.handle());
            assertEquals(512, r.data().length);
        }
    }

    @Test
    void writesToTheReadOnlyExportAreEpermAndChangeNothing() throws Exception {
        byte[] before = Images.read(imageRo, 0, 4096);
        try (RawClient c = RawClient.connect(socket).open("port1", false)) {
            assertNotEquals(0, c.transmissionFlags & FLAG_READ_ONLY);
            c.write(1, 0, new byte[4096], 0);
            assertEquals(EPERM, c.reply(0).error());
            c.request(0, CMD_FLUSH, 2, 0, 0);
            assertEquals(EINVAL, c.reply(0).error(), "FLUSH is not offered on a read-only export");
            c.request(0, CMD_READ, 3, 0, 4096);
            assertArrayEquals(before, c.reply(4096).data(), "the payload was dropped, the stream is in step");
        }
        assertArrayEquals(before, Images.read(imageRo, 0, 4096));
    }

    @Test
    void aWrongRequestMagicClosesThatClientOnly() throws Exception {
        try (RawClient c = RawClient.connect(socket).open("port0", false)) {
            c.write(ByteBuffer.allocate(REQUEST_BYTES).putInt(0xdeadbeef).rewind());
            assertTrue(c.closedByServer());
        }
        assertServedAndLogged("request magic 0xdeadbeef is not NBD_REQUEST_MAGIC");
    }

    @Test
    void anOversizedWriteClosesThatClientOnly() throws Exception {
        try (RawClient c = RawClient.connect(socket).open("port0", false)) {
            c.request(0, CMD_WRITE, 1, 0, 64 << 20);
            assertTrue(c.closedByServer());
        }
        assertServedAndLogged("longer than the maximum block size");
    }

    @Test
    void aClientThatHangsUpMidRequestOrMidHandshakeIsLoggedAndForgotten() throws Exception {
        try (RawClient c = RawClient.connect(socket).open("port0", false)) {
            c.request(0, CMD_WRITE, 1, 0, 4096);
            c.write(ByteBuffer.allocate(100));
        }
        assertServedAndLogged("after 100 of the 4096 bytes of the data of WRITE offset 0 length 4096");
        try (RawClient c = RawClient.connect(socket)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE);
        }
        assertServedAndLogged("(during the handshake)");
    }

    @Test
    void aClientThatNeverReadsItsRepliesIsNoLongerReadAndBlocksNoOne() throws Exception {
        try (RawClient greedy = RawClient.connect(socket).open("port0", false)) {
            greedy.ch.configureBlocking(false);
            ByteBuffer request = ByteBuffer.allocate(REQUEST_BYTES);
            long sent = 0;
            // Reads of 256 KiB whose replies it never takes: the server keeps its share of them in
            // flight, the socket fills, then the server stops reading from it: our writes stall.
            for (int handle = 0; handle < 100_000; handle++) {
                request.clear().putInt(REQUEST_MAGIC).putShort((short) 0).putShort((short) CMD_READ).putLong(handle)
                        .putLong(0).putInt(256 << 10).flip();
                while (request.hasRemaining() && greedy.ch.write(request) > 0) {
                    sent++;
                }
                if (request.hasRemaining()) {
                    break;
                }
            }
            assertTrue(request.hasRemaining(), "the server kept reading 100,000 requests whose 25 GiB of replies "
                    + "were never read");
            // Its replies wait copied in their contexts: of the disk's commands it pins at most the
            // one whose reply the loop is writing (NbdRequest, ReplyWriter).
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (controller.disk(0).commandsTaken() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(controller.disk(0).commandsTaken() <= 1, "commands taken by a client that reads nothing: "
                    + controller.disk(0).commandsTaken());
            try (RawClient other = RawClient.connect(socket).open("port0", true)) {
                other.request(0, CMD_READ, 1, 0, 4096);
                assertEquals(0, other.reply(4096).error(), "another client is served meanwhile");
            }
            assertTrue(sent > 0);
        }
        try (RawClient after = RawClient.connect(socket).open("port0", false)) {
            after.request(0, CMD_READ, 1, 0, 512);
            assertEquals(0, after.reply(512).error());
        }
    }

    @Test
    void shutdownEndsClientsThatReadNothingInTheHandshakeOrInTransmission() throws Exception {
        NbdServer s = new NbdServer(List.of(new NbdExport(controller.disk(1), List.of("port1"), false)),
                new PrintWriter(log, true));
        Path sock = dir.resolve("shutdown.sock");
        s.listenUnix(sock);
        s.start();
        try (RawClient greedy = RawClient.connect(sock).open("port1", false);
             RawClient chatty = RawClient.connect(sock)) {
            // 1 MiB reads (the connection's large buffer) whose replies are never read
            ByteBuffer read = ByteBuffer.allocate(REQUEST_BYTES);
            greedy.ch.configureBlocking(false);
            do {
                read.clear().putInt(REQUEST_MAGIC).putInt(CMD_READ).putLong(1).putLong(0).putInt(1 << 20).flip();
                while (read.hasRemaining() && greedy.ch.write(read) > 0) {
                    // keep writing
                }
            } while (!read.hasRemaining());
            // LIST after LIST whose replies are never read: the server blocks writing in the handshake
            chatty.greet(FLAG_C_FIXED_NEWSTYLE);
            chatty.ch.configureBlocking(false);
            ByteBuffer list = ByteBuffer.allocate(16);
            do {
                list.clear().putLong(IHAVEOPT).putInt(OPT_LIST).putInt(0).flip();
                while (list.hasRemaining() && chatty.ch.write(list) > 0) {
                    // keep writing
                }
            } while (!list.hasRemaining());
            assertTrue(s.shutdown(), log.toString());
            assertEquals(0, s.clients(), "every client's threads ended");
            assertFalse(Files.exists(sock));
        }
    }

    /** The server still serves a good client, and its log has {@code expected}. */
    private static void assertServedAndLogged(String expected) throws Exception {
        try (RawClient c = RawClient.connect(socket).open("port0", false)) {
            c.request(0, CMD_READ, 1, 0, 512);
            assertEquals(0, c.reply(512).error());
        }
        awaitLog(expected);
    }

    /** The line is logged by the rejected client's loop as it ends; waits for that thread's line. */
    private static void awaitLog(String expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!log.toString().contains(expected)) {
            assertTrue(System.nanoTime() < deadline, "the log has no '" + expected + "':\n" + log);
            Thread.sleep(20);
        }
        for (String line : log.toString().split("\n")) {
            if (line.contains(expected)) {
                assertTrue(line.startsWith("jahci serve: client "), line);
            }
        }
    }
}
