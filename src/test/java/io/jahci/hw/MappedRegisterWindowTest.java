package io.jahci.hw;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.*;

class MappedRegisterWindowTest {
    @Test
    void littleEndian32BitRegisters() {
        ByteBuffer b = ByteBuffer.allocateDirect(0x1100);
        MappedRegisterWindow w = new MappedRegisterWindow(b);
        w.write32(0x04, 0x8000_0001);
        assertEquals(0x01, b.get(0x04));
        assertEquals((byte) 0x80, b.get(0x07));
        assertEquals(0x8000_0001, w.read32(0x04));
        w.write32(0x10fc, -1);
        assertEquals(-1, w.read32(0x10fc));
        assertEquals(0x1100, w.size());
    }

    @Test
    void rejectsUnalignedAndOutOfRangeOffsets() {
        MappedRegisterWindow w = new MappedRegisterWindow(ByteBuffer.allocateDirect(0x100));
        assertThrows(IllegalArgumentException.class, () -> w.read32(2));
        assertThrows(IllegalArgumentException.class, () -> w.write32(0x100, 0));
        assertThrows(IllegalArgumentException.class, () -> w.read32(-4));
    }
}
