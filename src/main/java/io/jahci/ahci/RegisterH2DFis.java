package io.jahci.ahci;

import java.nio.ByteBuffer;

/**
 * The Register Host to Device FIS (SATA 3.x §10.5.5), which carries an ATA command in the CFIS
 * area of a {@link CommandTable}. Writers fill all {@link #LENGTH_DWORDS} dwords with absolute puts
 * and allocate nothing.
 *
 * <pre>
 * byte  0 FIS type 27h     1 C, PM port    2 COMMAND         3 FEATURES 7:0
 * byte  4 LBA 7:0          5 LBA 15:8      6 LBA 23:16       7 DEVICE
 * byte  8 LBA 31:24        9 LBA 39:32    10 LBA 47:40      11 FEATURES 15:8
 * byte 12 COUNT 7:0       13 COUNT 15:8   14 ICC            15 CONTROL
 * byte 16..19 reserved
 * </pre>
 */
public final class RegisterH2DFis {
    /** FIS type of a Register H2D FIS. */
    public static final int TYPE = 0x27;
    /** Length of the FIS in dwords: the CFL of its {@link CommandHeader}. */
    public static final int LENGTH_DWORDS = 5;
    /** Length of the FIS in bytes. */
    public static final int LENGTH_BYTES = LENGTH_DWORDS * 4;
    /** DEVICE field bit 6: the LBA fields hold a logical block address (ACS-3 §7). */
    public static final int DEVICE_LBA = 0x40;
    /** Device register bit 7 of FPDMA commands: forced unit access. */
    public static final int DEVICE_FUA = 0x80;
    /** Highest LBA a 48-bit command can address. */
    public static final long MAX_LBA48 = (1L << 48) - 1;
    /** Highest LBA a 28-bit command can address. */
    public static final long MAX_LBA28 = (1L << 28) - 1;
    /** Most sectors one 48-bit command transfers (COUNT 0 means 65536). */
    public static final int MAX_SECTORS_EXT = 65536;
    /** Most sectors one 28-bit command transfers (COUNT 0 means 256). */
    public static final int MAX_SECTORS = 256;

    /** Byte 1 bit 7: C, the FIS carries a command (rather than a device control update). */
    public static final BitField C = new BitField("C", 7, 1);
    /** Byte 1 bits 3:0: port multiplier port. */
    public static final BitField PM_PORT = new BitField("PMPORT", 0, 4);

    private static final BitField LBA_BITS_27_24 = new BitField("LBA27:24", 24, 4);
    /** SATA 3.x §13.6: an NCQ command carries its tag in COUNT bits 7:3. */
    private static final BitField NCQ_TAG = new BitField("TAG", 3, 5);
    private static final int MAX_NCQ_TAG = 31;

    private RegisterH2DFis() {
    }

    /**
     * Writes a command FIS with the C bit set and port multiplier port 0.
     *
     * @param command  the ATA command, see {@link AtaCommand}
     * @param features FEATURES 15:0
     * @param lba      LBA 47:0
     * @param count    COUNT 15:0
     * @param device   the DEVICE field
     * @param control  the CONTROL field
     */
    public static void write(ByteBuffer buf, int offset, int command, int features, long lba,
            int count, int device, int control) {
        Checks.inRange("command", command, 0, 0xFF);
        Checks.inRange("features", features, 0, 0xFFFF);
        Checks.inRange("lba", lba, 0, MAX_LBA48);
        Checks.inRange("count", count, 0, 0xFFFF);
        Checks.inRange("device", device, 0, 0xFF);
        Checks.inRange("control", control, 0, 0xFF);
        putByte(buf, offset, 0, TYPE);
        putByte(buf, offset, 1, C.with(0, 1));
        putByte(buf, offset, 2, command);
        putByte(buf, offset, 3, features);
        putByte(buf, offset, 4, (int) lba);
        putByte(buf, offset, 5, (int) (lba >>> 8));
        putByte(buf, offset, 6, (int) (lba >>> 16));
        putByte(buf, offset, 7, device);
        putByte(buf, offset, 8, (int) (lba >>> 24));
        putByte(buf, offset, 9, (int) (lba >>> 32));
        putByte(buf, offset, 10, (int) (lba >>> 40));
        putByte(buf, offset, 11, features >>> 8);
        putByte(buf, offset, 12, count);
        putByte(buf, offset, 13, count >>> 8);
        putByte(buf, offset, 14, 0); // ICC: no isochronous command completion deadline
        putByte(buf, offset, 15, control);
        buf.putInt(offset + 16, 0); // auxiliary, reserved
    }

    /** READ DMA EXT of {@code sectors} (1..65536) sectors at 48-bit {@code lba}. */
    public static void readDmaExt(ByteBuffer buf, int offset, long lba, int sectors) {
        dmaExt(buf, offset, AtaCommand.READ_DMA_EXT, lba, sectors);
    }

    /** WRITE DMA EXT of {@code sectors} (1..65536) sectors at 48-bit {@code lba}. */
    public static void writeDmaExt(ByteBuffer buf, int offset, long lba, int sectors) {
        dmaExt(buf, offset, AtaCommand.WRITE_DMA_EXT, lba, sectors);
    }

    /** READ DMA of {@code sectors} (1..256) sectors at 28-bit {@code lba}. */
    public static void readDma(ByteBuffer buf, int offset, long lba, int sectors) {
        dma28(buf, offset, AtaCommand.READ_DMA, lba, sectors);
    }

    /** WRITE DMA of {@code sectors} (1..256) sectors at 28-bit {@code lba}. */
    public static void writeDma(ByteBuffer buf, int offset, long lba, int sectors) {
        dma28(buf, offset, AtaCommand.WRITE_DMA, lba, sectors);
    }

    /**
     * READ FPDMA QUEUED (NCQ, SATA 3.x §13.6) of {@code sectors} (1..65536) sectors at 48-bit
     * {@code lba}, with NCQ {@code tag} 0..31 (by AHCI convention the command slot it is issued in).
     */
    public static void readFpdmaQueued(ByteBuffer buf, int offset, long lba, int sectors, int tag) {
        fpdma(buf, offset, AtaCommand.READ_FPDMA_QUEUED, lba, sectors, tag, false);
    }

    /** WRITE FPDMA QUEUED, see {@link #readFpdmaQueued}. */
    public static void writeFpdmaQueued(ByteBuffer buf, int offset, long lba, int sectors, int tag) {
        fpdma(buf, offset, AtaCommand.WRITE_FPDMA_QUEUED, lba, sectors, tag, false);
    }

    /**
     * WRITE FPDMA QUEUED with the FUA bit (device register bit 7, ACS-3 §7.59.3): the data reaches
     * the medium before the command completes.
     */
    public static void writeFpdmaQueuedFua(ByteBuffer buf, int offset, long lba, int sectors, int tag) {
        fpdma(buf, offset, AtaCommand.WRITE_FPDMA_QUEUED, lba, sectors, tag, true);
    }

    /** WRITE DMA FUA EXT (ACS-3 §7.66) of {@code sectors} (1..65536) sectors at {@code lba}. */
    public static void writeDmaFuaExt(ByteBuffer buf, int offset, long lba, int sectors) {
        dmaExt(buf, offset, AtaCommand.WRITE_DMA_FUA_EXT, lba, sectors);
    }

    /**
     * READ LOG EXT (ACS-3 §7.24), a PIO data-in command: {@code pages} 512-byte pages of general
     * purpose log {@code logAddress} from page {@code page} on (LBA 7:0 = log address, LBA 15:8
     * and 47:40 = page number, count = pages).
     */
    public static void readLogExt(ByteBuffer buf, int offset, int logAddress, int page, int pages) {
        Checks.inRange("logAddress", logAddress, 0, 0xFF);
        Checks.inRange("page", page, 0, 0xFFFF);
        Checks.inRange("pages", pages, 1, 0xFFFF);
        long lba = logAddress | (long) (page & 0xFF) << 8 | (long) (page >>> 8) << 40;
        write(buf, offset, AtaCommand.READ_LOG_EXT, 0, lba, pages, DEVICE_LBA, 0);
    }

    /** IDENTIFY DEVICE (ACS-3 §7.12): one 512-byte PIO data-in block. */
    public static void identifyDevice(ByteBuffer buf, int offset) {
        write(buf, offset, AtaCommand.IDENTIFY_DEVICE, 0, 0, 0, 0, 0);
    }

    /** IDENTIFY PACKET DEVICE (ACS-3 §7.13): one 512-byte PIO data-in block. */
    public static void identifyPacketDevice(ByteBuffer buf, int offset) {
        write(buf, offset, AtaCommand.IDENTIFY_PACKET_DEVICE, 0, 0, 0, 0, 0);
    }

    /** FLUSH CACHE EXT (ACS-3): non-data. */
    public static void flushCacheExt(ByteBuffer buf, int offset) {
        write(buf, offset, AtaCommand.FLUSH_CACHE_EXT, 0, 0, 0, 0, 0);
    }

    /** FLUSH CACHE (ACS-3): non-data. */
    public static void flushCache(ByteBuffer buf, int offset) {
        write(buf, offset, AtaCommand.FLUSH_CACHE, 0, 0, 0, 0, 0);
    }

    private static void dmaExt(ByteBuffer buf, int offset, int command, long lba, int sectors) {
        Checks.inRange("lba", lba, 0, MAX_LBA48);
        Checks.inRange("sectors", sectors, 1, MAX_SECTORS_EXT);
        write(buf, offset, command, 0, lba, sectors & 0xFFFF, DEVICE_LBA, 0);
    }

    /** 28-bit commands carry LBA 27:24 in DEVICE bits 3:0 and leave LBA 47:24 zero. */
    private static void dma28(ByteBuffer buf, int offset, int command, long lba, int sectors) {
        Checks.inRange("lba", lba, 0, MAX_LBA28);
        Checks.inRange("sectors", sectors, 1, MAX_SECTORS);
        int device = DEVICE_LBA | LBA_BITS_27_24.get((int) lba);
        write(buf, offset, command, 0, lba & 0xFFFFFF, sectors & 0xFF, device, 0);
    }

    /** NCQ commands carry the sector count in FEATURES and the tag in COUNT. */
    private static void fpdma(ByteBuffer buf, int offset, int command, long lba, int sectors,
            int tag, boolean fua) {
        Checks.inRange("lba", lba, 0, MAX_LBA48);
        Checks.inRange("sectors", sectors, 1, MAX_SECTORS_EXT);
        Checks.inRange("tag", tag, 0, MAX_NCQ_TAG);
        write(buf, offset, command, sectors & 0xFFFF, lba, NCQ_TAG.with(0, tag), fua ? DEVICE_LBA | DEVICE_FUA : DEVICE_LBA, 0);
    }

    private static void putByte(ByteBuffer buf, int offset, int index, int value) {
        buf.put(offset + index, (byte) value);
    }
}
