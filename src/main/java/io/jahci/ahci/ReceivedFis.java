package io.jahci.ahci;

import java.nio.ByteBuffer;

/**
 * Layout of a port's Received FIS area, whose bus address goes into PxFB/PxFBU (AHCI 1.3.1 §4.2.1),
 * and readers for the last D2H Register FIS it holds. {@code base} is the offset of the area in
 * the buffer.
 */
public final class ReceivedFis {
    /** DMA Setup FIS. */
    public static final int DSFIS = 0x00;
    /** PIO Setup FIS. */
    public static final int PSFIS = 0x20;
    /** D2H Register FIS. */
    public static final int RFIS = 0x40;
    /** Set Device Bits FIS. */
    public static final int SDBFIS = 0x58;
    /** Unknown FIS (up to 64 bytes). */
    public static final int UFIS = 0x60;
    /** Size of the area without FIS-based switching. */
    public static final int SIZE = 256;
    /** Required alignment of the area's bus address (PxFB bits 7:0 are reserved). */
    public static final int ALIGNMENT = 256;

    private ReceivedFis() {
    }

    /** STATUS of the last D2H Register FIS. */
    public static int status(ByteBuffer buf, int base) {
        return D2HRegisterFis.status(buf, base + RFIS);
    }

    /** ERROR of the last D2H Register FIS. */
    public static int error(ByteBuffer buf, int base) {
        return D2HRegisterFis.error(buf, base + RFIS);
    }

    /** LBA 47:0 of the last D2H Register FIS. */
    public static long lba(ByteBuffer buf, int base) {
        return D2HRegisterFis.lba(buf, base + RFIS);
    }

    /** COUNT 15:0 of the last D2H Register FIS. */
    public static int count(ByteBuffer buf, int base) {
        return D2HRegisterFis.count(buf, base + RFIS);
    }
}
