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
import org.junit.jupiter.api.function.Executable;

/** Expected FIS bytes are written by hand from SATA 3.x §10.5.5. */
class RegisterH2DFisTest {
    private static final int OFFSET = 8;

    private final ByteBuffer buf = Buffers.dirty(64);

    @Test
    void readDmaExtOfMaximumLength() {
        RegisterH2DFis.readDmaExt(buf, OFFSET, 0x12_3456_789AL, 65536);
        assertArrayEquals(of(
                0x27, 0x80, 0x25, 0x00,
                0x9A, 0x78, 0x56, 0x40,
                0x34, 0x12, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00), bytes(buf, OFFSET, 20));
        assertTrue(Buffers.untouchedOutside(buf, OFFSET, OFFSET + 20));
    }

    @Test
    void writeDmaExtAtTheHighestLba() {
        RegisterH2DFis.writeDmaExt(buf, OFFSET, 0xFFFF_FFFF_FFFFL, 0x1234);
        assertArrayEquals(of(
                0x27, 0x80, 0x35, 0x00,
                0xFF, 0xFF, 0xFF, 0x40,
                0xFF, 0xFF, 0xFF, 0x00,
                0x34, 0x12, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00), bytes(buf, OFFSET, 20));
    }

    @Test
    void readDma28PutsLbaBits27To24InDevice() {
        RegisterH2DFis.readDma(buf, OFFSET, 0x0ABC_DEF1L, 256);
        assertArrayEquals(of(
                0x27, 0x80, 0xC8, 0x00,
                0xF1, 0xDE, 0xBC, 0x4A,
                0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00), bytes(buf, OFFSET, 20));
    }

    @Test
    void writeDma28() {
        RegisterH2DFis.writeDma(buf, OFFSET, 5, 16);
        assertArrayEquals(of(
                0x27, 0x80, 0xCA, 0x00,
                0x05, 0x00, 0x00, 0x40,
                0x00, 0x00, 0x00, 0x00,
                0x10, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00), bytes(buf, OFFSET, 20));
    }

    @Test
    void fuaWritesSetBit7OfTheDeviceRegisterOrUseTheFuaOpcode() {
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        RegisterH2DFis.writeFpdmaQueuedFua(b, 0, 0x10, 8, 5);
        assertEquals(0x61, b.get(2) & 0xff, "WRITE FPDMA QUEUED");
        assertEquals(0xC0, b.get(7) & 0xff, "device: LBA mode (bit 6) and FUA (bit 7)");
        assertEquals(5 << 3, b.get(12) & 0xff, "tag in count bits 7:3");
        RegisterH2DFis.writeFpdmaQueued(b, 0, 0x10, 8, 5);
        assertEquals(0x40, b.get(7) & 0xff, "no FUA");
        RegisterH2DFis.writeDmaFuaExt(b, 0, 0x10, 8);
        assertEquals(0x3D, b.get(2) & 0xff, "WRITE DMA FUA EXT");
        assertEquals(0x40, b.get(7) & 0xff);
        assertEquals(8, b.get(12) & 0xff);
    }

    @Test
    void readFpdmaQueuedCarriesCountInFeaturesAndTagInCount() {
        RegisterH2DFis.readFpdmaQueued(buf, OFFSET, 0x1000, 8, 5);
        assertArrayEquals(of(
                0x27, 0x80, 0x60, 0x08,
                0x00, 0x10, 0x00, 0x40,
                0x00, 0x00, 0x00, 0x00,
                0x28, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00), bytes(buf, OFFSET, 20));
        RegisterH2DFis.writeFpdmaQueued(buf, OFFSET, 0, 65536, 31);
        assertArrayEquals(of(0x27, 0x80, 0x61, 0x00), bytes(buf, OFFSET, 4));
        assertArrayEquals(of(0x00, 0xF8, 0x00), bytes(buf, OFFSET + 11, 3));
    }

    @Test
    void nonDataCommands() {
        byte[] zeroes = new byte[17];
        RegisterH2DFis.identifyDevice(buf, OFFSET);
        assertArrayEquals(of(0x27, 0x80, 0xEC), bytes(buf, OFFSET, 3));
        assertArrayEquals(zeroes, bytes(buf, OFFSET + 3, 17));
        RegisterH2DFis.identifyPacketDevice(buf, OFFSET);
        assertArrayEquals(of(0x27, 0x80, 0xA1), bytes(buf, OFFSET, 3));
        assertArrayEquals(zeroes, bytes(buf, OFFSET + 3, 17));
        RegisterH2DFis.flushCacheExt(buf, OFFSET);
        assertArrayEquals(of(0x27, 0x80, 0xEA), bytes(buf, OFFSET, 3));
        assertArrayEquals(zeroes, bytes(buf, OFFSET + 3, 17));
        RegisterH2DFis.flushCache(buf, OFFSET);
        assertArrayEquals(of(0x27, 0x80, 0xE7), bytes(buf, OFFSET, 3));
        assertArrayEquals(zeroes, bytes(buf, OFFSET + 3, 17));
    }

    @Test
    void genericWriterPlacesEveryField() {
        RegisterH2DFis.write(buf, 0, 0xEF, 0xABCD, 0x0605_0403_0201L, 0x1234, 0xE0, 0x08);
        assertArrayEquals(of(
                0x27, 0x80, 0xEF, 0xCD,
                0x01, 0x02, 0x03, 0xE0,
                0x04, 0x05, 0x06, 0xAB,
                0x34, 0x12, 0x00, 0x08,
                0x00, 0x00, 0x00, 0x00), bytes(buf, 0, 20));
    }

    @Test
    void rejectsOutOfRangeArguments() {
        assertRejects("lba", () -> RegisterH2DFis.readDmaExt(buf, 0, 1L << 48, 1));
        assertRejects("lba", () -> RegisterH2DFis.readDmaExt(buf, 0, -1, 1));
        assertRejects("sectors", () -> RegisterH2DFis.readDmaExt(buf, 0, 0, 0));
        assertRejects("sectors", () -> RegisterH2DFis.writeDmaExt(buf, 0, 0, 65537));
        assertRejects("lba", () -> RegisterH2DFis.readDma(buf, 0, 1L << 28, 1));
        assertRejects("sectors", () -> RegisterH2DFis.writeDma(buf, 0, 0, 257));
        assertRejects("sectors", () -> RegisterH2DFis.writeDma(buf, 0, 0, 0));
        assertRejects("tag", () -> RegisterH2DFis.readFpdmaQueued(buf, 0, 0, 1, 32));
        assertRejects("features", () -> RegisterH2DFis.write(buf, 0, 0x25, 0x10000, 0, 0, 0, 0));
        assertRejects("command", () -> RegisterH2DFis.write(buf, 0, 0x100, 0, 0, 0, 0, 0));
        assertRejects("count", () -> RegisterH2DFis.write(buf, 0, 0x25, 0, 0, -1, 0, 0));
    }

    @Test
    void lengthConstants() {
        assertEquals(5, RegisterH2DFis.LENGTH_DWORDS);
        assertEquals(0x27, RegisterH2DFis.TYPE);
    }

    private static void assertRejects(String named, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(named + " "), e.getMessage());
    }
}
