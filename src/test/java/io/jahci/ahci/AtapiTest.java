package io.jahci.ahci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** ATAPI CDBs byte for byte (SPC-4, SBC-3), and INQUIRY, READ CAPACITY and sense data decoding. */
class AtapiTest {
    private static final int OFFSET = 0x40;

    @Test
    void read10IsBigEndianWithTheBlockCountInBytes7And8() {
        ByteBuffer buf = Buffers.dirty(OFFSET + 16);
        AtapiCdb.read10(buf, OFFSET, 0x01020304L, 0x0506);
        assertArrayEquals(Buffers.of(0x28, 0, 1, 2, 3, 4, 0, 5, 6, 0, 0, 0), Buffers.bytes(buf, OFFSET, 12));
        assertTrue(Buffers.untouchedOutside(buf, OFFSET, OFFSET + 12));
        assertThrows(IllegalArgumentException.class, () -> AtapiCdb.read10(buf, OFFSET, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> AtapiCdb.read10(buf, OFFSET, 1L << 32, 1));
    }

    @Test
    void theOtherCdbs() {
        ByteBuffer buf = Buffers.dirty(12);
        AtapiCdb.testUnitReady(buf, 0);
        assertArrayEquals(new byte[12], Buffers.bytes(buf, 0, 12));
        AtapiCdb.requestSense(buf, 0);
        assertArrayEquals(Buffers.of(0x03, 0, 0, 0, 18, 0, 0, 0, 0, 0, 0, 0), Buffers.bytes(buf, 0, 12));
        AtapiCdb.inquiry(buf, 0);
        assertArrayEquals(Buffers.of(0x12, 0, 0, 0, 36, 0, 0, 0, 0, 0, 0, 0), Buffers.bytes(buf, 0, 12));
        AtapiCdb.readCapacity10(buf, 0);
        assertArrayEquals(Buffers.of(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), Buffers.bytes(buf, 0, 12));
        assertEquals("READ(10)", AtapiCdb.name(0x28));
    }

    @Test
    void inquiryAndCapacity() {
        ByteBuffer buf = ByteBuffer.allocate(36);
        buf.put(0, (byte) 0x05).put(1, (byte) 0x80);
        put(buf, 8, "QEMU    QEMU DVD-ROM    2.5+");
        AtapiCdb.Inquiry inquiry = AtapiCdb.Inquiry.parse(buf, 0);
        assertEquals(new AtapiCdb.Inquiry(5, "QEMU", "QEMU DVD-ROM", "2.5+"), inquiry);
        ByteBuffer cap = ByteBuffer.wrap(Buffers.of(0, 0, 0x01, 0x2B, 0, 0, 0x08, 0));
        assertEquals(new AtapiCdb.Capacity(299, 2048), AtapiCdb.Capacity.parse(cap, 0));
        assertEquals(300, AtapiCdb.Capacity.parse(cap, 0).blocks());
    }

    @Test
    void senseDataNoMediumAndMediumChanged() {
        ByteBuffer buf = ByteBuffer.allocate(18);
        buf.put(0, (byte) 0xF0).put(2, (byte) 0x02).put(12, (byte) 0x3A).put(13, (byte) 0x01);
        SenseData noMedium = SenseData.parse(buf, 0);
        assertTrue(noMedium.noMedium());
        assertFalse(noMedium.mediumChanged());
        assertEquals("NOT READY, medium not present - tray closed (sense 2/3Ah/01h)", noMedium.toString());
        buf.put(2, (byte) 0x06).put(12, (byte) 0x28).put(13, (byte) 0);
        SenseData changed = SenseData.parse(buf, 0);
        assertTrue(changed.mediumChanged());
        assertEquals("UNIT ATTENTION, not ready to ready change, medium may have changed (sense 6/28h/00h)",
                changed.toString());
        buf.put(2, (byte) 0x05).put(12, (byte) 0x77).put(13, (byte) 0x12);
        assertEquals("ILLEGAL REQUEST, ASC/ASCQ 77h/12h (sense 5/77h/12h)", SenseData.parse(buf, 0).toString());
        buf.put(0, (byte) 0x72);
        assertThrows(IllegalStateException.class, () -> SenseData.parse(buf, 0), "descriptor format was not asked for");
    }

    private static void put(ByteBuffer buf, int offset, String text) {
        for (int i = 0; i < text.length(); i++) {
            buf.put(offset + i, (byte) text.charAt(i));
        }
    }
}
