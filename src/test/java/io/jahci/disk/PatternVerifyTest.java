package io.jahci.disk;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.*;

/** verify's sector pattern and how it tells failures apart. */
class PatternVerifyTest {
    private static final int SIZE = 512;

    private static ByteBuffer sector(long lba, long seed) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        PatternVerify.fill(b, 0, SIZE, lba, seed);
        return b;
    }

    @Test
    void eachSectorCarriesItsLbaAndSeedAndDiffersFromItsNeighbours() {
        ByteBuffer a = sector(100, 7);
        assertEquals(100, a.getLong(0));
        assertEquals(7, a.getLong(8));
        assertNotEquals(a, sector(101, 7));
        assertNotEquals(a, sector(100, 8));
        assertEquals(a, sector(100, 7));
    }

    @Test
    void tellsMisdirectedLostZeroAndCorruptSectorsApart() {
        assertEquals("holds the data written for LBA 101 (misdirected write)",
                PatternVerify.diagnose(sector(101, 7), SIZE, 100, 7));
        assertTrue(PatternVerify.diagnose(sector(100, 8), SIZE, 100, 7).contains("another run"));
        assertEquals("holds zeros: the write never reached it",
                PatternVerify.diagnose(ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN), SIZE, 100, 7));
        ByteBuffer flipped = sector(100, 7);
        flipped.put(200, (byte) (flipped.get(200) ^ 1));
        assertTrue(PatternVerify.diagnose(flipped, SIZE, 100, 7).startsWith("corrupt"));
    }
}
