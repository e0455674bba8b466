package io.jahci.ahci;

import java.nio.ByteBuffer;

/**
 * A command header, one per command slot in a port's command list, whose bus address goes into
 * PxCLB/PxCLBU (AHCI 1.3.1 §4.2.2). The writer uses absolute puts on a little-endian buffer and
 * allocates nothing.
 *
 * <pre>
 * DW0  PRDTL 31:16 | PMP 15:12 | C 10 | B 9 | R 8 | P 7 | W 6 | A 5 | CFL 4:0
 * DW1  PRDBC, byte count transferred (written by the HBA)
 * DW2  CTBA, command table base address 31:7
 * DW3  CTBAU, command table base address 63:32
 * DW4..7 reserved
 * </pre>
 */
public final class CommandHeader {
    /** Size of one header. */
    public static final int SIZE = 32;
    /** Number of headers in a command list. */
    public static final int SLOTS = 32;
    /** Size of a command list. */
    public static final int LIST_SIZE = SIZE * SLOTS;
    /** Required alignment of the command list's bus address (PxCLB bits 9:0 are reserved). */
    public static final int LIST_ALIGNMENT = 1024;

    /** DW0: Physical Region Descriptor Table Length, in entries. */
    public static final BitField PRDTL = new BitField("PRDTL", 16, 16);
    /** DW0: Port Multiplier Port. */
    public static final BitField PMP = new BitField("PMP", 12, 4);
    /** DW0: Clear Busy upon R_OK. */
    public static final BitField C = new BitField("C", 10, 1);
    /** DW0: BIST. */
    public static final BitField B = new BitField("B", 9, 1);
    /** DW0: Reset. */
    public static final BitField R = new BitField("R", 8, 1);
    /** DW0: Prefetchable. */
    public static final BitField P = new BitField("P", 7, 1);
    /** DW0: Write (host to device). */
    public static final BitField W = new BitField("W", 6, 1);
    /** DW0: ATAPI. */
    public static final BitField A = new BitField("A", 5, 1);
    /** DW0: Command FIS Length, in dwords (2..16). */
    public static final BitField CFL = new BitField("CFL", 0, 5);

    private static final int DW0 = 0;
    private static final int PRDBC = 4;
    private static final int CTBA = 8;
    private static final int CTBAU = 12;
    private static final int RESERVED = 16;
    private static final int MIN_CFL = 2;
    private static final int MAX_CFL = 16;

    private CommandHeader() {
    }

    /** Offset of {@code slot}'s header in a command list that starts at {@code listOffset}. */
    public static int offset(int listOffset, int slot) {
        Checks.inRange("slot", slot, 0, SLOTS - 1);
        return listOffset + slot * SIZE;
    }

    /**
     * Writes {@code slot}'s header with PMP 0, R and B clear, PRDBC 0.
     *
     * @param cflDwords               length of the command FIS in dwords, 2..16
     * @param write                   the data goes from host to device
     * @param atapi                   the ACMD area holds an ATAPI command
     * @param prefetchable            the HBA may prefetch the PRDs and data
     * @param clearBusyOnOk           clear BSY once the FIS is sent (for non-data commands)
     * @param prdtLength              number of PRD entries, 0..65535
     * @param commandTableBusAddress  bus address of the {@link CommandTable}, 128-byte aligned
     */
    public static void write(ByteBuffer buf, int listOffset, int slot, int cflDwords, boolean write,
            boolean atapi, boolean prefetchable, boolean clearBusyOnOk, int prdtLength,
            long commandTableBusAddress) {
        Checks.littleEndian(buf);
        Checks.inRange("cflDwords", cflDwords, MIN_CFL, MAX_CFL);
        Checks.inRange("prdtLength", prdtLength, 0, CommandTable.MAX_PRD_ENTRIES);
        Checks.aligned("commandTableBusAddress", commandTableBusAddress, CommandTable.ALIGNMENT);
        int header = offset(listOffset, slot);
        int dw0 = CFL.with(0, cflDwords);
        dw0 = A.with(dw0, atapi ? 1 : 0);
        dw0 = W.with(dw0, write ? 1 : 0);
        dw0 = P.with(dw0, prefetchable ? 1 : 0);
        dw0 = C.with(dw0, clearBusyOnOk ? 1 : 0);
        dw0 = PRDTL.with(dw0, prdtLength);
        buf.putInt(header + DW0, dw0);
        buf.putInt(header + PRDBC, 0);
        buf.putInt(header + CTBA, (int) commandTableBusAddress);
        buf.putInt(header + CTBAU, (int) (commandTableBusAddress >>> 32));
        for (int reserved = RESERVED; reserved < SIZE; reserved += Integer.BYTES) {
            buf.putInt(header + reserved, 0);
        }
    }

    /** PRDBC of {@code slot}: the number of bytes the HBA has transferred for the command. */
    public static int prdByteCount(ByteBuffer buf, int listOffset, int slot) {
        Checks.littleEndian(buf);
        return buf.getInt(offset(listOffset, slot) + PRDBC);
    }
}
