package io.jahci.ahci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** CAP, PI and VS decoded as AHCI 1.3.1 §3.1.1, §3.1.4 and §3.1.5 lay them out. */
class HbaCapabilitiesTest {
    /** S64A, SNCQ, NCS = 31 (32 slots), NP = 5 (6 ports): QEMU's ICH9 AHCI. */
    private static final int CAP = (1 << 31) | (1 << 30) | (31 << 8) | 5;

    @Test
    void decodesSlotsAddressingNcqAndImplementedPorts() {
        HbaCapabilities caps = new HbaCapabilities(CAP, 0, 0b101, 0x00010000);
        assertEquals(32, caps.commandSlots());
        assertTrue(caps.supports64BitAddresses());
        assertTrue(caps.supportsNcq());
        assertFalse(caps.supportsStaggeredSpinUp());
        assertTrue(caps.isImplemented(0));
        assertFalse(caps.isImplemented(1));
        assertTrue(caps.isImplemented(2));
        assertEquals("AHCI 1.0, 2 ports (PI=00000005), 32 command slots, 64-bit DMA, NCQ (CAP=c0001f05 CAP2=00000000)",
                caps.toString());
    }

    @Test
    void versionIsMajorDotMinorWithTheSubVersionOnlyWhenSet() {
        assertEquals("1.3.1", new HbaCapabilities(0, 0, 1, 0x00010301).versionString());
        assertEquals("1.3", new HbaCapabilities(0, 0, 1, 0x00010300).versionString());
        assertTrue(new HbaCapabilities(0, 0, 1, 0x00010300).toString().contains(", 32-bit DMA, (CAP=00000000"));
    }
}
