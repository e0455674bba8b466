package io.jahci.ahci;

import java.nio.ByteBuffer;

/**
 * The registers of one non-queued ATA command as the host writes them (ACS-3 §6): what a
 * Register H2D FIS carries. {@link #write} puts it in a command table's CFIS area.
 *
 * @param command  the opcode, see {@link AtaCommand}
 * @param features FEATURES 15:0 (the subcommand of SMART and SET FEATURES)
 * @param lba      LBA 47:0
 * @param count    COUNT 15:0
 * @param device   the DEVICE field
 */
public record AtaTaskFile(int command, int features, long lba, int count, int device) {
    public AtaTaskFile {
        Checks.inRange("command", command, 0, 0xFF);
        Checks.inRange("features", features, 0, 0xFFFF);
        Checks.inRange("lba", lba, 0, RegisterH2DFis.MAX_LBA48);
        Checks.inRange("count", count, 0, 0xFFFF);
        Checks.inRange("device", device, 0, 0xFF);
    }

    /** A command with every other register zero. */
    public static AtaTaskFile of(int command) {
        return new AtaTaskFile(command, 0, 0, 0, 0);
    }

    /**
     * PACKET (ACS-3 §7.18) for an ATAPI command whose data, if any, moves by DMA (FEATURES bit 0);
     * LBA 23:8 holds the byte count limit, which only PIO transfers use.
     */
    public static AtaTaskFile packet(boolean dma) {
        return new AtaTaskFile(AtaCommand.PACKET, dma ? 1 : 0, (long) PACKET_BYTE_COUNT_LIMIT << 8, 0, 0);
    }

    /** The largest even byte count a PIO packet data phase may carry (ACS-3 §7.18.3). */
    private static final int PACKET_BYTE_COUNT_LIMIT = 0xFFFE;

    /** Writes the Register H2D FIS for these registers at {@code offset} (C bit set, port multiplier 0). */
    public void write(ByteBuffer buf, int offset) {
        RegisterH2DFis.write(buf, offset, command, features, lba, count, device, 0);
    }

    @Override
    public String toString() {
        return AtaCommand.name(command) + String.format(" (features %04Xh, LBA %012Xh, count %04Xh)", features, lba, count);
    }
}
