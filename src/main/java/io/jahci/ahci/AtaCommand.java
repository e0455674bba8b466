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
    /** PACKET: an ATAPI command block follows in the ACMD area (ACS-3 §7.18). */
    public static final int PACKET = 0xA0;
    /** SMART, the subcommand in FEATURES (ACS-3 §7.49). */
    public static final int SMART = 0xB0;
    /** STANDBY IMMEDIATE (ACS-3 §7.54). */
    public static final int STANDBY_IMMEDIATE = 0xE0;
    /** IDLE IMMEDIATE (ACS-3 §7.15). */
    public static final int IDLE_IMMEDIATE = 0xE1;
    /** CHECK POWER MODE (ACS-3 §7.3). */
    public static final int CHECK_POWER_MODE = 0xE5;
    /** SLEEP (ACS-3 §7.52): afterwards the device answers only to a reset. */
    public static final int SLEEP = 0xE6;
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

    /** SMART feature D0h: READ DATA, one 512-byte PIO data-in block. */
    public static final int SMART_READ_DATA = 0xD0;
    /** SMART feature D1h: READ ATTRIBUTE THRESHOLDS (obsolete in ACS-3, implemented by drives and QEMU). */
    public static final int SMART_READ_THRESHOLDS = 0xD1;
    /**
     * SMART feature D4h: EXECUTE OFF-LINE IMMEDIATE (ACS-3 §7.49.5), the routine in LBA 7:0: 01h short
     * and 02h extended self-test in off-line mode, 7Fh abort the running one; no data.
     */
    public static final int SMART_EXECUTE_OFFLINE_IMMEDIATE = 0xD4;
    /** SMART feature D5h: READ LOG, the log address in LBA 7:0. */
    public static final int SMART_READ_LOG = 0xD5;
    /** SMART feature D8h: ENABLE OPERATIONS. */
    public static final int SMART_ENABLE_OPERATIONS = 0xD8;
    /** SMART feature DAh: RETURN STATUS, the verdict in LBA mid/high ({@link SmartHealth}). */
    public static final int SMART_RETURN_STATUS = 0xDA;
    /** Every SMART command carries 4Fh in LBA 15:8 and C2h in LBA 23:16 (ACS-3 §7.49.1). */
    public static final long SMART_LBA_SIGNATURE = 0xC2_4F_00L;

    /** SET FEATURES subcommand 02h: enable the volatile write cache (ACS-3 §7.48.4). */
    public static final int SF_ENABLE_WRITE_CACHE = 0x02;
    /** SET FEATURES subcommand 82h: disable the volatile write cache. */
    public static final int SF_DISABLE_WRITE_CACHE = 0x82;
    /** SET FEATURES subcommand AAh: enable read look-ahead (ACS-3 §7.48.9). */
    public static final int SF_ENABLE_READ_LOOK_AHEAD = 0xAA;
    /** SET FEATURES subcommand 55h: disable read look-ahead. */
    public static final int SF_DISABLE_READ_LOOK_AHEAD = 0x55;

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
            case PACKET: return "PACKET";
            case SMART: return "SMART";
            case STANDBY_IMMEDIATE: return "STANDBY IMMEDIATE";
            case IDLE_IMMEDIATE: return "IDLE IMMEDIATE";
            case CHECK_POWER_MODE: return "CHECK POWER MODE";
            case SLEEP: return "SLEEP";
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
