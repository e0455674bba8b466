package io.jahci.ahci;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ReceivedFisTest {
    private static final int BASE = 256;

    @Test
    void layoutPerAhci421() {
        assertEquals(0x00, ReceivedFis.DSFIS);
        assertEquals(0x20, ReceivedFis.PSFIS);
        assertEquals(0x40, ReceivedFis.RFIS);
        assertEquals(0x58, ReceivedFis.SDBFIS);
        assertEquals(0x60, ReceivedFis.UFIS);
        assertEquals(256, ReceivedFis.SIZE);
        assertEquals(256, ReceivedFis.ALIGNMENT);
    }

    @Test
    void readsTheD2HRegisterFisAtRfis() {
        ByteBuffer buf = Buffers.dirty(512);
        // SATA 3.x §10.5.6, by hand: type, I, status, error, LBA 23:0, device, LBA 47:24, -, count
        byte[] fis = Buffers.of(
                0x34, 0x40, 0x51, 0x10,
                0x11, 0x22, 0x33, 0x40,
                0x44, 0x55, 0x66, 0x00,
                0x78, 0x9A, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00);
        for (int i = 0; i < fis.length; i++) {
            buf.put(BASE + 0x40 + i, fis[i]);
        }
        assertEquals(0x51, ReceivedFis.status(buf, BASE));
        assertEquals(0x10, ReceivedFis.error(buf, BASE));
        assertEquals(0x6655_4433_2211L, ReceivedFis.lba(buf, BASE));
        assertEquals(0x9A78, ReceivedFis.count(buf, BASE));
        assertEquals(D2HRegisterFis.TYPE, D2HRegisterFis.type(buf, BASE + 0x40));
    }
}
