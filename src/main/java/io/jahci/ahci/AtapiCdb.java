package io.jahci.ahci;

import java.nio.ByteBuffer;

/**
 * The 12-byte SCSI command descriptor blocks jahci sends to an ATAPI CD/DVD drive in the PACKET
 * command's ACMD area (AHCI 1.3.1 §4.2.3; SPC-4 and MMC-6 for the CDBs themselves). Writers fill
 * all {@link #LENGTH} bytes with absolute puts (unused bytes zero; big-endian fields as SCSI has
 * them) and allocate nothing.
 */
public final class AtapiCdb {
    /** The largest even byte count a PIO packet data phase may carry (ACS-3 §7.18.3). */
    private static final long PACKET_BYTE_COUNT_LIMIT = 0xFFFE;

    /** ATAPI CDBs are 12 bytes long (the ACMD area holds 16). */
    public static final int LENGTH = 12;

    /**
     * The PACKET command's task file (ACS-3 §7.18) for a CDB whose data, {@code dataInBytes} of
     * them (0: none), comes in by DMA: FEATURES bit 0 says DMA; LBA 23:8, the byte count limit,
     * counts for PIO only. Pure.
     */
    public static AtaTaskFile packetTaskFile(int dataInBytes) {
        return dataInBytes == 0
                ? AtaTaskFile.nonData(AtaCommand.PACKET, 0, PACKET_BYTE_COUNT_LIMIT << 8, 0, 0)
                : AtaTaskFile.dataIn(AtaCommand.PACKET, 1, PACKET_BYTE_COUNT_LIMIT << 8, 0, 0, dataInBytes);
    }

    /** TEST UNIT READY (SPC-4 §6.47). */
    public static final int TEST_UNIT_READY = 0x00;
    /** REQUEST SENSE (SPC-4 §6.39). */
    public static final int REQUEST_SENSE = 0x03;
    /** INQUIRY (SPC-4 §6.6). */
    public static final int INQUIRY = 0x12;
    /** READ CAPACITY (10) (SBC-3 §5.15, MMC-6 §6.23). */
    public static final int READ_CAPACITY_10 = 0x25;
    /** READ (10) (SBC-3 §5.11, MMC-6 §6.16). */
    public static final int READ_10 = 0x28;

    /** Bytes of sense data jahci asks for: the 18-byte fixed format (SPC-4 §4.5.3). */
    public static final int SENSE_LENGTH = 18;
    /** Bytes of standard INQUIRY data jahci asks for: through the product revision level. */
    public static final int INQUIRY_LENGTH = 36;
    /** Bytes of READ CAPACITY (10) data. */
    public static final int CAPACITY_LENGTH = 8;
    /** Most blocks one READ (10) transfers. */
    public static final int MAX_READ_10_BLOCKS = 0xFFFF;

    private AtapiCdb() {
    }

    /** TEST UNIT READY: no data; CHECK CONDITION when no medium is there or it changed. */
    public static void testUnitReady(ByteBuffer buf, int offset) {
        cdb(buf, offset, TEST_UNIT_READY);
    }

    /** REQUEST SENSE of {@link #SENSE_LENGTH} bytes, fixed format. */
    public static void requestSense(ByteBuffer buf, int offset) {
        cdb(buf, offset, REQUEST_SENSE);
        buf.put(offset + 4, (byte) SENSE_LENGTH);
    }

    /** Standard INQUIRY of {@link #INQUIRY_LENGTH} bytes. */
    public static void inquiry(ByteBuffer buf, int offset) {
        cdb(buf, offset, INQUIRY);
        buf.put(offset + 4, (byte) INQUIRY_LENGTH);
    }

    /** READ CAPACITY (10): the last LBA and the block length. */
    public static void readCapacity10(ByteBuffer buf, int offset) {
        cdb(buf, offset, READ_CAPACITY_10);
    }

    /** READ (10) of {@code blocks} (1..65535) blocks at {@code lba} (0..2^32-1). */
    public static void read10(ByteBuffer buf, int offset, long lba, int blocks) {
        Checks.inRange("lba", lba, 0, 0xFFFF_FFFFL);
        Checks.inRange("blocks", blocks, 1, MAX_READ_10_BLOCKS);
        cdb(buf, offset, READ_10);
        buf.put(offset + 2, (byte) (lba >>> 24));
        buf.put(offset + 3, (byte) (lba >>> 16));
        buf.put(offset + 4, (byte) (lba >>> 8));
        buf.put(offset + 5, (byte) lba);
        buf.put(offset + 7, (byte) (blocks >>> 8));
        buf.put(offset + 8, (byte) blocks);
    }

    /** The name of CDB opcode {@code opcode}, for messages. */
    public static String name(int opcode) {
        return switch (opcode) {
            case TEST_UNIT_READY -> "TEST UNIT READY";
            case REQUEST_SENSE -> "REQUEST SENSE";
            case INQUIRY -> "INQUIRY";
            case READ_CAPACITY_10 -> "READ CAPACITY(10)";
            case READ_10 -> "READ(10)";
            default -> String.format("SCSI 0x%02X", opcode);
        };
    }

    private static void cdb(ByteBuffer buf, int offset, int opcode) {
        Checks.inRange("offset", offset, 0, buf.limit() - LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            buf.put(offset + i, (byte) 0);
        }
        buf.put(offset, (byte) opcode);
    }

    /**
     * The standard INQUIRY data's identity (SPC-4 §6.6.2): T10 vendor (bytes 8-15), product
     * (16-31), revision (32-35), ASCII with trailing spaces removed, and the peripheral device type
     * (byte 0 bits 4:0, 05h = CD/DVD).
     */
    public record Inquiry(int deviceType, String vendor, String product, String revision) {
        public static Inquiry parse(ByteBuffer buf, int offset) {
            Checks.inRange("offset", offset, 0, buf.limit() - INQUIRY_LENGTH);
            return new Inquiry(buf.get(offset) & 0x1F, ascii(buf, offset + 8, 8), ascii(buf, offset + 16, 16),
                    ascii(buf, offset + 32, 4));
        }

        private static String ascii(ByteBuffer buf, int offset, int length) {
            char[] chars = new char[length];
            for (int i = 0; i < length; i++) {
                chars[i] = (char) (buf.get(offset + i) & 0xFF);
            }
            return new String(chars).trim();
        }
    }

    /** READ CAPACITY (10) data: the last LBA and the block length, both big-endian (SBC-3 §5.15.2). */
    public record Capacity(long lastLba, int blockLength) {
        public static Capacity parse(ByteBuffer buf, int offset) {
            Checks.inRange("offset", offset, 0, buf.limit() - CAPACITY_LENGTH);
            long last = 0;
            int length = 0;
            for (int i = 0; i < 4; i++) {
                last = last << 8 | (buf.get(offset + i) & 0xFF);
                length = length << 8 | (buf.get(offset + 4 + i) & 0xFF);
            }
            return new Capacity(last, length);
        }

        /** Number of blocks: the last LBA plus one. */
        public long blocks() {
            return lastLba + 1;
        }
    }
}
