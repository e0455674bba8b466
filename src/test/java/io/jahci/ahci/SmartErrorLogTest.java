package io.jahci.ahci;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Summary SMART Error log's layout (ACS-3 §A.21) on a page built here: QEMU's model logs no error,
 * so the ring, the 28-bit LBA and the device's count come from a constructed page.
 */
class SmartErrorLogTest {
    private static void error(ByteBuffer page, int structure, int err, int status, long lba, int state, int hours) {
        int e = 2 + (structure - 1) * 90 + 60;
        page.put(e + 1, (byte) err).put(e + 2, (byte) 8).put(e + 3, (byte) lba).put(e + 4, (byte) (lba >> 8))
                .put(e + 5, (byte) (lba >> 16)).put(e + 6, (byte) (0xE0 | (lba >> 24) & 0x0F)).put(e + 7, (byte) status)
                .put(e + 27, (byte) state).put(e + 28, (byte) hours).put(e + 29, (byte) (hours >> 8));
    }

    @Test
    void errorsComeMostRecentFirstAcrossTheRingWithTheirRegisters() {
        ByteBuffer page = ByteBuffer.allocate(512);
        page.put(0, (byte) 1).put(1, (byte) 2).put(452, (byte) 0x2C).put(453, (byte) 0x01);
        error(page, 1, 0x40, 0x51, 0x0ABC_DEF1L, 3, 1000);
        error(page, 2, 0x04, 0x51, 5, 4, 1200);
        error(page, 5, 0x10, 0x51, 77, 2, 900);
        SmartErrorLog log = SmartErrorLog.parse(page, 0);
        assertEquals(300, log.errorCount());
        assertEquals(List.of(new SmartErrorLog.Entry(1, 0x04, 0x51, 8, 5, 4, 1200),
                new SmartErrorLog.Entry(2, 0x40, 0x51, 8, 0x0ABC_DEF1L, 3, 1000),
                new SmartErrorLog.Entry(3, 0x10, 0x51, 8, 77, 2, 900)), log.errors());
    }

    @Test
    void anIndexOfZeroMeansNoErrorLoggedWhateverTheCount() {
        ByteBuffer page = ByteBuffer.allocate(512);
        page.put(452, (byte) 3);
        error(page, 1, 0x40, 0x51, 9, 3, 10);
        SmartErrorLog log = SmartErrorLog.parse(page, 0);
        assertEquals(3, log.errorCount());
        assertEquals(List.of(), log.errors());
    }
}
