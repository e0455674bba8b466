package io.jahci.nbd;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.jahci.nbd.NbdProtocol.*;
import static org.junit.jupiter.api.Assertions.*;

/** The server's handshake byte for byte against a raw client, without a disk (proto.md "Fixed newstyle negotiation"). */
class HandshakeTest {
    private static final int RW = FLAG_HAS_FLAGS | FLAG_SEND_FLUSH | FLAG_SEND_FUA | FLAG_CAN_MULTI_CONN;
    private static final ExportInfo PORT0 = new ExportInfo("port0", 64L << 20, RW, 512, 4096, 32 << 20, "disk zero");
    private static final ExportInfo PORT1 = new ExportInfo("port1", 1L << 20, FLAG_HAS_FLAGS | FLAG_READ_ONLY, 512,
            512, 32 << 20, "disk one");

    private static final Handshake.Exports EXPORTS = new Handshake.Exports() {
        @Override
        public ExportInfo find(String name) {
            return switch (name) {
                case "", "port0" -> PORT0;
                case "port1" -> PORT1;
                default -> null;
            };
        }

        @Override
        public List<String> names() {
            return List.of("port0", "port1");
        }
    };

    @TempDir
    Path dir;
    ServerSocketChannel listener;
    CompletableFuture<Handshake.Result> server;
    RawClient client;

    @BeforeEach
    void start() throws Exception {
        Path socket = dir.resolve("s");
        listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
        server = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (SocketChannel ch = listener.accept()) {
                server.complete(new Handshake(ch, EXPORTS, () -> false).run());
            } catch (Throwable e) {
                server.completeExceptionally(e);
            }
        });
        t.start();
        client = RawClient.connect(socket);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        listener.close();
    }

    private Handshake.Result result() throws Exception {
        return server.get(10, TimeUnit.SECONDS);
    }

    private Throwable failure() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> server.get(10, TimeUnit.SECONDS));
        return e.getCause();
    }

    @Test
    void greetsWithNbdmagicIhaveoptAndFixedNewstyleNoZeroes() throws Exception {
        assertEquals(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES, client.greet(FLAG_C_FIXED_NEWSTYLE));
    }

    @Test
    void goAnswersExportInfoAndBlockSizeThenAckAndEntersTransmission() throws Exception {
        client.greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
        client.sendOption(OPT_GO, RawClient.goData("", INFO_NAME, INFO_DESCRIPTION));
        RawClient.OptionReply export = client.readOptionReply();
        assertEquals(REP_INFO, export.type());
        assertEquals(OPT_GO, export.option());
        assertEquals(INFO_EXPORT, export.data().getShort());
        assertEquals(64L << 20, export.data().getLong());
        assertEquals(RW, export.data().getShort(), "no SEND_DF without structured replies");
        RawClient.OptionReply name = client.readOptionReply();
        assertEquals(INFO_NAME, name.data().getShort());
        assertEquals("port0", StandardCharsets.UTF_8.decode(name.data()).toString());
        RawClient.OptionReply description = client.readOptionReply();
        assertEquals(INFO_DESCRIPTION, description.data().getShort());
        assertEquals("disk zero", StandardCharsets.UTF_8.decode(description.data()).toString());
        RawClient.OptionReply sizes = client.readOptionReply();
        assertEquals(INFO_BLOCK_SIZE, sizes.data().getShort());
        assertEquals(512, sizes.data().getInt());
        assertEquals(4096, sizes.data().getInt());
        assertEquals(32 << 20, sizes.data().getInt());
        assertEquals(REP_ACK, client.readOptionReply().type());
        Handshake.Result r = result();
        assertSame(PORT0, r.export());
        assertFalse(r.structuredReplies());
    }

    @Test
    void structuredReplyIsAckedAndAddsSendDf() throws Exception {
        client.greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
        client.sendOption(OPT_STRUCTURED_REPLY, ByteBuffer.allocate(0));
        assertEquals(REP_ACK, client.readOptionReply().type());
        client.sendOption(OPT_GO, RawClient.goData("port1"));
        RawClient.OptionReply export = client.readOptionReply();
        assertEquals(FLAG_HAS_FLAGS | FLAG_READ_ONLY | FLAG_SEND_DF, export.data().getShort(10));
        assertTrue(result().structuredReplies());
    }

    @Test
    void infoOnAnUnknownExportIsErrUnknownAndTheHandshakeGoesOn() throws Exception {
        client.greet(FLAG_C_FIXED_NEWSTYLE);
        client.sendOption(OPT_INFO, RawClient.goData("nope"));
        RawClient.OptionReply r = client.readOptionReply();
        assertEquals(REP_ERR_UNKNOWN, r.type());
        assertTrue(StandardCharsets.UTF_8.decode(r.data()).toString().contains("[port0, port1]"));
        client.sendOption(OPT_INFO, RawClient.goData("port1"));
        assertEquals(REP_INFO, client.readOptionReply().type());
        assertEquals(REP_INFO, client.readOptionReply().type());
        assertEquals(REP_ACK, client.readOptionReply().type());
        assertFalse(server.isDone(), "INFO does not end the handshake");
        client.sendOption(OPT_ABORT, ByteBuffer.allocate(0));
        assertEquals(REP_ACK, client.readOptionReply().type());
        assertNull(result(), "ABORT ends it without an export");
    }

    @Test
    void listNamesEveryExportThenAcks() throws Exception {
        client.greet(FLAG_C_FIXED_NEWSTYLE);
        client.sendOption(OPT_LIST, ByteBuffer.allocate(0));
        for (String expected : List.of("port0", "port1")) {
            RawClient.OptionReply r = client.readOptionReply();
            assertEquals(REP_SERVER, r.type());
            int length = r.data().getInt();
            assertEquals(expected, StandardCharsets.UTF_8.decode(r.data().slice(4, length)).toString());
        }
        assertEquals(REP_ACK, client.readOptionReply().type());
    }

    @Test
    void unknownOptionsAreErrUnsupAndMalformedOnesErrInvalid() throws Exception {
        client.greet(FLAG_C_FIXED_NEWSTYLE);
        client.sendOption(OPT_STARTTLS, ByteBuffer.allocate(0));
        assertEquals(REP_ERR_UNSUP, client.readOptionReply().type());
        client.sendOption(4711, ByteBuffer.wrap(new byte[100]));
        assertEquals(REP_ERR_UNSUP, client.readOptionReply().type());
        client.sendOption(OPT_GO, ByteBuffer.allocate(6).putInt(1000).putShort((short) 0).flip());
        assertEquals(REP_ERR_INVALID, client.readOptionReply().type());
        client.sendOption(OPT_STRUCTURED_REPLY, ByteBuffer.allocate(1));
        assertEquals(REP_ERR_INVALID, client.readOptionReply().type());
    }

    @Test
    void exportNameSendsSizeAndFlagsWithZeroesUnlessNoZeroes() throws Exception {
        client.greet(FLAG_C_FIXED_NEWSTYLE);
        client.sendOption(OPT_EXPORT_NAME, ByteBuffer.wrap("port1".getBytes(StandardCharsets.UTF_8)));
        ByteBuffer reply = client.read(8 + 2 + 124);
        assertEquals(1L << 20, reply.getLong());
        assertEquals(FLAG_HAS_FLAGS | FLAG_READ_ONLY, reply.getShort());
        while (reply.hasRemaining()) {
            assertEquals(0, reply.get());
        }
        assertSame(PORT1, result().export());
    }

    @Test
    void exportNameOfAnUnknownExportEndsTheSession() throws Exception {
        client.greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
        client.sendOption(OPT_EXPORT_NAME, ByteBuffer.wrap("nope".getBytes(StandardCharsets.UTF_8)));
        Throwable e = failure();
        assertInstanceOf(NbdProtocolException.class, e);
        assertTrue(e.getMessage().contains("'nope', which does not exist"), e.getMessage());
    }

    @Test
    void unknownClientFlagsEndTheSession() {
        assertDoesNotThrow(() -> client.greet(1 << 5));
        Throwable e = failure();
        assertInstanceOf(NbdProtocolException.class, e);
        assertTrue(e.getMessage().contains("0x00000020"), e.getMessage());
    }

    @Test
    void aWrongOptionMagicEndsTheSession() throws Exception {
        client.greet(FLAG_C_FIXED_NEWSTYLE);
        client.write(ByteBuffer.allocate(16).putLong(0x1234L).putInt(OPT_GO).putInt(0).flip());
        Throwable e = failure();
        assertInstanceOf(NbdProtocolException.class, e);
        assertTrue(e.getMessage().contains("is not IHAVEOPT"), e.getMessage());
    }

    @Test
    void anOversizedOptionEndsTheSessionWithoutReadingIt() throws Exception {
        client.greet(FLAG_C_FIXED_NEWSTYLE);
        client.write(ByteBuffer.allocate(16).putLong(IHAVEOPT).putInt(OPT_GO).putInt(1 << 30).flip());
        Throwable e = failure();
        assertTrue(e.getMessage().contains("carries 1073741824 bytes"), e.getMessage());
    }

    @Test
    void aClientThatHangsUpMidHandshakeIsAnEofNamingWhatWasMissing() throws Exception {
        client.greet(FLAG_C_FIXED_NEWSTYLE);
        client.write(ByteBuffer.allocate(8).putLong(IHAVEOPT).flip());
        client.close();
        Throwable e = failure();
        assertInstanceOf(java.io.EOFException.class, e);
        assertTrue(e.getMessage().contains("after 8 of the 16 bytes of an option header"), e.getMessage());
    }
}
