package io.jahci.ahci;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.*;

/** The NCQ Command Error log page and the READ LOG EXT that reads it, byte by byte from ACS-3. */
class NcqErrorLogTest {
    @Test
    void parsesTagStatusErrorLbaAndCount() {
        ByteBuffer page = ByteBuffer.allocate(16 + 512);
        page.put(16, (byte) 0x17);                 // NQ clear, tag 23
        page.put(18, (byte) 0x51);                 // status DRDY DSC ERR
        page.put(19, (byte) 0x40);                 // error UNC
        page.put(20, (byte) 0x9A).put(21, (byte) 0x78).put(22, (byte) 0x56); // LBA 23:0
        page.put(24, (byte) 0x34).put(25, (byte) 0x12).put(26, (byte) 0x01); // LBA 47:24
        page.put(28, (byte) 0x08).put(29, (byte) 0x01);                       // count 0x108
        NcqErrorLog log = NcqErrorLog.parse(page, 16);
        assertFalse(log.nonQueued());
        assertEquals(23, log.tag());
        assertEquals(0x51, log.status());
        assertEquals(0x40, log.error());
        assertEquals(0x01_1234_5678_9AL, log.lba());
        assertEquals(0x108, log.count());
    }

    @Test
    void theNqBitMarksANonQueuedError() {
        ByteBuffer page = ByteBuffer.allocate(512);
        page.put(0, (byte) 0x80);
        assertTrue(NcqErrorLog.parse(page, 0).nonQueued());
    }

    @Test
    void readLogExtPutsTheLogAddressAndPageInTheLbaAndThePagesInTheCount() {
        ByteBuffer fis = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        RegisterH2DFis.readLogExt(fis, 0, NcqErrorLog.LOG_ADDRESS, 0x0203, 1);
        byte[] expected = {0x27, (byte) 0x80, 0x2F, 0, 0x10, 0x03, 0, 0x40, 0, 0, 0x02, 0, 1, 0, 0, 0, 0, 0, 0, 0};
        assertArrayEquals(expected, fis.array());
    }
}
