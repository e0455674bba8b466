package io.jahci.ahci;

/** ATA command opcodes, the COMMAND field of a Register H2D FIS (ACS-3). */
public final class AtaCommand {
    /** DATA SET MANAGEMENT, e.g. TRIM (ACS-3). */
    public static final int DATA_SET_MANAGEMENT = 0x06;
    /** READ DMA EXT, 48-bit LBA (ACS-3). */
    public static final int READ_DMA_EXT = 0x25;
    /** READ LOG EXT (ACS-3). */
    public static final int READ_LOG_EXT = 0x2F;
    /** WRITE DMA EXT, 48-bit LBA (ACS-3). */
    public static final int WRITE_DMA_EXT = 0x35;
    /** WRITE DMA FUA EXT: written to the medium before completion (ACS-3 §7.66). */
    public static final int WRITE_DMA_FUA_EXT = 0x3D;
    /** READ FPDMA QUEUED, NCQ (ACS-3, SATA 3.x §13.6). */
    public static final int READ_FPDMA_QUEUED = 0x60;
    /** WRITE FPDMA QUEUED, NCQ (ACS-3, SATA 3.x §13.6). */
    public static final int WRITE_FPDMA_QUEUED = 0x61;
    /** IDENTIFY PACKET DEVICE (ACS-3 §7.13). */
    public static final int IDENTIFY_PACKET_DEVICE = 0xA1;
    /** READ DMA, 28-bit LBA (ACS-3). */
    public static final int READ_DMA = 0xC8;
    /** WRITE DMA, 28-bit LBA (ACS-3). */
    public static final int WRITE_DMA = 0xCA;
    /** FLUSH CACHE (ACS-3). */
    public static final int FLUSH_CACHE = 0xE7;
    /** FLUSH CACHE EXT (ACS-3). */
    public static final int FLUSH_CACHE_EXT = 0xEA;
    /** IDENTIFY DEVICE (ACS-3 §7.12). */
    public static final int IDENTIFY_DEVICE = 0xEC;
    /** SET FEATURES (ACS-3). */
    public static final int SET_FEATURES = 0xEF;

    private AtaCommand() {
    }

    /** The command's name, e.g. {@code "READ DMA EXT"}, or {@code "0x.."} for other opcodes. */
    public static String name(int opcode) {
        switch (opcode) {
            case DATA_SET_MANAGEMENT: return "DATA SET MANAGEMENT";
            case READ_DMA_EXT: return "READ DMA EXT";
            case READ_LOG_EXT: return "READ LOG EXT";
            case WRITE_DMA_EXT: return "WRITE DMA EXT";
            case WRITE_DMA_FUA_EXT: return "WRITE DMA FUA EXT";
            case READ_FPDMA_QUEUED: return "READ FPDMA QUEUED";
            case WRITE_FPDMA_QUEUED: return "WRITE FPDMA QUEUED";
            case IDENTIFY_PACKET_DEVICE: return "IDENTIFY PACKET DEVICE";
            case READ_DMA: return "READ DMA";
            case WRITE_DMA: return "WRITE DMA";
            case FLUSH_CACHE: return "FLUSH CACHE";
            case FLUSH_CACHE_EXT: return "FLUSH CACHE EXT";
            case IDENTIFY_DEVICE: return "IDENTIFY DEVICE";
            case SET_FEATURES: return "SET FEATURES";
            default: return String.format("0x%02X", opcode);
        }
    }
}
