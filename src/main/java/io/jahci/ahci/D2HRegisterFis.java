package io.jahci.ahci;

import java.nio.ByteBuffer;

/**
 * Readers for a Register Device to Host FIS (SATA 3.x §10.5.6), the device's status after a
 * command. Each reader takes the offset of the FIS itself and allocates nothing.
 *
 * <pre>
 * byte  0 FIS type 34h     1 I, PM port    2 STATUS          3 ERROR
 * byte  4 LBA 7:0          5 LBA 15:8      6 LBA 23:16       7 DEVICE
 * byte  8 LBA 31:24        9 LBA 39:32    10 LBA 47:40      11 reserved
 * byte 12 COUNT 7:0       13 COUNT 15:8   14..19 reserved
 * </pre>
 */
public final class D2HRegisterFis {
    /** FIS type of a Register D2H FIS. */
    public static final int TYPE = 0x34;
    /** Length of the FIS in bytes. */
    public static final int LENGTH_BYTES = 20;

    private D2HRegisterFis() {
    }

    /** The FIS type byte ({@link #TYPE} once the device has sent one). */
    public static int type(ByteBuffer buf, int offset) {
        return unsignedByte(buf, offset);
    }

    /** The ATA STATUS field, see {@link AtaStatus#describe}. */
    public static int status(ByteBuffer buf, int offset) {
        return unsignedByte(buf, offset + 2);
    }

    /** The ATA ERROR field, see {@link AtaStatus#describeError}. */
    public static int error(ByteBuffer buf, int offset) {
        return unsignedByte(buf, offset + 3);
    }

    /** LBA 47:0. */
    public static long lba(ByteBuffer buf, int offset) {
        return (long) unsignedByte(buf, offset + 4)
                | (long) unsignedByte(buf, offset + 5) << 8
                | (long) unsignedByte(buf, offset + 6) << 16
                | (long) unsignedByte(buf, offset + 8) << 24
                | (long) unsignedByte(buf, offset + 9) << 32
                | (long) unsignedByte(buf, offset + 10) << 40;
    }

    /** COUNT 15:0. */
    public static int count(ByteBuffer buf, int offset) {
        return unsignedByte(buf, offset + 12) | unsignedByte(buf, offset + 13) << 8;
    }

    private static int unsignedByte(ByteBuffer buf, int offset) {
        return buf.get(offset) & 0xFF;
    }
}
