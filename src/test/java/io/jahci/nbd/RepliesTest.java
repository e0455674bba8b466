package io.jahci.nbd;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reply headers byte for byte (proto.md "Simple reply message", "Structured reply chunk message"). */
class RepliesTest {
    private static String hex(ByteBuffer b) {
        b.flip();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    void simpleReply() {
        ByteBuffer b = ByteBuffer.allocate(64);
        Replies.simple(b, NbdProtocol.EPERM, 0x0102030405060708L);
        assertEquals("67446698" + "00000001" + "0102030405060708", hex(b));
    }

    @Test
    void offsetDataChunkIsFinalAndCountsTheOffsetInItsLength() {
        ByteBuffer b = ByteBuffer.allocate(64);
        Replies.offsetData(b, 7, 4096, 512);
        assertEquals("668e33ef" + "0001" + "0001" + "0000000000000007" + "00000208" + "0000000000001000", hex(b));
    }

    @Test
    void errorOffsetChunkHasAnEmptyMessageAndTheOffset() {
        ByteBuffer b = ByteBuffer.allocate(64);
        Replies.errorOffset(b, 9, NbdProtocol.EIO, 1024000);
        assertEquals("668e33ef" + "0001" + "8002" + "0000000000000009" + "0000000e" + "00000005" + "0000"
                + "00000000000fa000", hex(b));
    }
}
