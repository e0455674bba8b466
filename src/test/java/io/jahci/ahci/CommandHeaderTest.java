package io.jahci.ahci;

import static io.jahci.ahci.Buffers.bytes;
import static io.jahci.ahci.Buffers.of;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Expected header bytes are written by hand from AHCI 1.3.1 §4.2.2. */
class CommandHeaderTest {
    private static final int LIST = 64;

    private final ByteBuffer buf = Buffers.dirty(LIST + 1024 + 64);

    @Test
    void writesAllEightDwordsOfTheSlot() {
        CommandHeader.write(buf, LIST, 3, 5, true, false, true, false, 3, 0x1_2345_6780L);
        int header = LIST + 3 * 32;
        assertArrayEquals(of(
                0xC5, 0x00, 0x03, 0x00, // DW0: CFL 5, W, P, PRDTL 3
                0x00, 0x00, 0x00, 0x00, // DW1: PRDBC
                0x80, 0x67, 0x45, 0x23, // DW2: CTBA
                0x01, 0x00, 0x00, 0x00, // DW3: CTBAU
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), bytes(buf, header, 32));
        assertTrue(Buffers.untouchedOutside(buf, header, header + 32));
    }

    @Test
    void atapiAndClearBusyFlags() {
        CommandHeader.write(buf, LIST, 0, 16, false, true, false, true, 0xFFFF, 0x80);
        assertEquals(0xFFFF_0430, buf.getInt(LIST));
        assertEquals(0x80, buf.getInt(LIST + 8));
        assertEquals(0, buf.getInt(LIST + 12));
    }

    @Test
    void prdByteCountReadsDw1() {
        CommandHeader.write(buf, LIST, 31, 5, false, false, false, false, 1, 0x1000);
        buf.putInt(LIST + 31 * 32 + 4, 0x0001_0000);
        assertEquals(0x0001_0000, CommandHeader.prdByteCount(buf, LIST, 31));
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class,
                () -> CommandHeader.write(buf, LIST, 0, 5, false, false, false, false, 1, 0x1040));
        assertThrows(IllegalArgumentException.class,
                () -> CommandHeader.write(buf, LIST, 32, 5, false, false, false, false, 1, 0x1000));
        assertThrows(IllegalArgumentException.class,
                () -> CommandHeader.write(buf, LIST, 0, 1, false, false, false, false, 1, 0x1000));
        assertThrows(IllegalArgumentException.class,
                () -> CommandHeader.write(buf, LIST, 0, 17, false, false, false, false, 1, 0x1000));
        assertThrows(IllegalArgumentException.class,
                () -> CommandHeader.write(buf, LIST, 0, 5, false, false, false, false, 65536, 0x1000));
        ByteBuffer bigEndian = ByteBuffer.allocate(1024).order(ByteOrder.BIG_ENDIAN);
        assertThrows(IllegalArgumentException.class,
                () -> CommandHeader.write(bigEndian, 0, 0, 5, false, false, false, false, 1, 0x1000));
    }

    @Test
    void sizes() {
        assertEquals(32, CommandHeader.SIZE);
        assertEquals(1024, CommandHeader.LIST_SIZE);
        assertEquals(1024, CommandHeader.LIST_ALIGNMENT);
        assertEquals(0x80, CommandTable.size(0));
        assertEquals(0x100, CommandTable.size(8));
        assertEquals(0x40, CommandTable.ACMD);
        assertEquals(128, CommandTable.ALIGNMENT);
        assertThrows(IllegalArgumentException.class, () -> CommandTable.size(-1));
    }
}
