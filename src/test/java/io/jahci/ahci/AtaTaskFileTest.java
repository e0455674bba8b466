package io.jahci.ahci;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class AtaTaskFileTest {
    private static byte[] fis(java.util.function.Consumer<ByteBuffer> writer) {
        ByteBuffer b = ByteBuffer.allocate(RegisterH2DFis.LENGTH_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        Arrays.fill(b.array(), (byte) 0x5A);
        writer.accept(b);
        return b.array();
    }

    @Test
    void identifyAndFlushAsTaskFilesSendTheSameFisAsTheirDedicatedWriters() {
        assertArrayEquals(fis(b -> RegisterH2DFis.identifyDevice(b, 0)),
                fis(b -> AtaTaskFile.dataIn(AtaCommand.IDENTIFY_DEVICE, 0, 0, 0, 0, 512).writeFis(b, 0)));
        assertArrayEquals(fis(b -> RegisterH2DFis.flushCacheExt(b, 0)),
                fis(b -> AtaTaskFile.nonData(AtaCommand.FLUSH_CACHE_EXT, 0, 0, 0, 0).writeFis(b, 0)));
        assertArrayEquals(fis(b -> RegisterH2DFis.flushCache(b, 0)),
                fis(b -> AtaTaskFile.nonData(AtaCommand.FLUSH_CACHE, 0, 0, 0, 0).writeFis(b, 0)));
    }

    @Test
    void everyFieldLandsWhereTheFisSaysWithControlZero() {
        byte[] f = fis(b -> AtaTaskFile.dataOut(AtaCommand.DATA_SET_MANAGEMENT, 0x0001, 0x0605_0403_0201L, 0x0102,
                0x40, 512).writeFis(b, 0));
        assertEquals(0x27, f[0] & 0xFF);
        assertEquals(0x06, f[2] & 0xFF, "COMMAND");
        assertEquals(0x01, f[3] & 0xFF, "FEATURES 7:0");
        assertArrayEquals(new byte[] {1, 2, 3, 0x40, 4, 5, 6, 0}, Arrays.copyOfRange(f, 4, 12));
        assertArrayEquals(new byte[] {2, 1, 0, 0}, Arrays.copyOfRange(f, 12, 16), "COUNT, ICC, CONTROL");
    }

    @Test
    void misuseIsRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AtaTaskFile.nonData(AtaCommand.WRITE_FPDMA_QUEUED, 0, 0, 0, 0));
        assertTrue(e.getMessage().contains("NCQ command"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new AtaTaskFile(0xB0, 0, 0, 0, 0, AtaTaskFile.Direction.NONE, 512));
        assertTrue(e.getMessage().contains("does not fit direction NONE"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AtaTaskFile.dataIn(0xB0, 0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new AtaTaskFile(0xB0, 0, 0, 0, 0, null, 0));
        assertThrows(IllegalArgumentException.class, () -> AtaTaskFile.nonData(0x100, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> AtaTaskFile.nonData(0xB0, 0x10000, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> AtaTaskFile.nonData(0xB0, 0, 1L << 48, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> AtaTaskFile.nonData(0xB0, 0, 0, 0x10000, 0));
    }

    @Test
    void aResultWithoutAD2hFisHasNoRegisters() {
        assertTrue(new AtaResult(0x50, 0, 0xC24F00, 0).hasRegisters());
        assertFalse(new AtaResult(0x50, 0, -1, -1).hasRegisters());
    }
}
