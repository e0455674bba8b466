package io.jahci.ahci;

import java.nio.ByteBuffer;

/**
 * The physical region descriptor table of a {@link CommandTable}, the command's scatter list
 * (AHCI 1.3.1 §4.2.3.3). {@code tableOffset} is the offset of the first entry, i.e. the command
 * table's offset plus {@link CommandTable#PRDT}. Writers use absolute puts on a little-endian buffer
 * and allocate nothing.
 *
 * <pre>
 * DW0  DBA, data base address 31:1 (bit 0 reserved: word aligned)
 * DW1  DBAU, data base address 63:32
 * DW2  reserved
 * DW3  I 31 | reserved 30:22 | DBC 21:0, byte count minus one
 * </pre>
 */
public final class PrdTable {
    /** Size of one entry. */
    public static final int ENTRY_SIZE = 16;
    /** Most bytes one entry can describe (DBC is 22 bits wide). */
    public static final int MAX_ENTRY_BYTES = 4 * 1024 * 1024;

    /** DW3: Interrupt on Completion, sets PxIS.DPS once the entry's data is transferred. */
    public static final BitField I = new BitField("I", 31, 1);
    /** DW3: Data Byte Count minus one; bit 0 must be 1, the count being even. */
    public static final BitField DBC = new BitField("DBC", 0, 22);

    private static final int DBA = 0;
    private static final int DBAU = 4;
    private static final int RESERVED = 8;
    private static final int DW3 = 12;
    private static final int WORD = 2;

    /**
     * The bus address space of the memory a transfer uses, as the DMA layer sees it. {@code offset}s
     * are byte offsets into that memory.
     */
    public interface BusMap {
        /** The bus address of byte {@code offset}. */
        long busAddress(long offset);

        /** How many bytes from {@code offset} on are contiguous in bus address space (at least 1). */
        long contiguousBytes(long offset);
    }

    private PrdTable() {
    }

    /**
     * Writes entry {@code index}.
     *
     * @param busAddress            where the data is; must be even
     * @param byteCount             how many bytes; even, 2..{@link #MAX_ENTRY_BYTES}
     * @param interruptOnCompletion set the I bit
     */
    public static void writeEntry(ByteBuffer buf, int tableOffset, int index, long busAddress,
            int byteCount, boolean interruptOnCompletion) {
        Checks.littleEndian(buf);
        Checks.inRange("index", index, 0, CommandTable.MAX_PRD_ENTRIES - 1);
        Checks.aligned("busAddress", busAddress, WORD);
        Checks.inRange("byteCount", byteCount, WORD, MAX_ENTRY_BYTES);
        Checks.aligned("byteCount", byteCount, WORD);
        int entry = tableOffset + index * ENTRY_SIZE;
        buf.putInt(entry + DBA, (int) busAddress);
        buf.putInt(entry + DBAU, (int) (busAddress >>> 32));
        buf.putInt(entry + RESERVED, 0);
        buf.putInt(entry + DW3, I.with(DBC.with(0, byteCount - 1), interruptOnCompletion ? 1 : 0));
    }

    /**
     * Writes the entries describing bytes [{@code dataOffset}, {@code dataOffset + length}) of the
     * memory {@code map} describes: a new entry starts wherever the memory stops being contiguous
     * in bus address space and after every {@code maxEntryBytes} bytes. Only the last entry has its
     * I bit set.
     *
     * @param maxEntries    how many entries the table has room for
     * @param length        bytes to transfer, at least 1
     * @param maxEntryBytes the most bytes per entry; even, 2..{@link #MAX_ENTRY_BYTES}
     * @return the number of entries written, i.e. the PRDTL for the {@link CommandHeader}
     * @throws IllegalArgumentException if more than {@code maxEntries} entries are needed (the
     *     message says how many), or if a run of contiguous memory has an odd address or length
     */
    public static int build(ByteBuffer buf, int tableOffset, int maxEntries, BusMap map,
            long dataOffset, long length, int maxEntryBytes) {
        Checks.inRange("maxEntries", maxEntries, 1, CommandTable.MAX_PRD_ENTRIES);
        Checks.inRange("dataOffset", dataOffset, 0, Long.MAX_VALUE);
        Checks.inRange("length", length, 1, Long.MAX_VALUE - dataOffset);
        Checks.inRange("maxEntryBytes", maxEntryBytes, WORD, MAX_ENTRY_BYTES);
        Checks.aligned("maxEntryBytes", maxEntryBytes, WORD);
        long end = dataOffset + length;
        long position = dataOffset;
        long entries = 0;
        while (position < end) {
            long contiguous = map.contiguousBytes(position);
            if (contiguous < 1) {
                throw new IllegalArgumentException(
                        "BusMap reports " + contiguous + " contiguous bytes at offset " + position);
            }
            int bytes = (int) Math.min(Math.min(contiguous, end - position), maxEntryBytes);
            if (entries < maxEntries) {
                writeEntry(buf, tableOffset, (int) entries, map.busAddress(position), bytes,
                        position + bytes == end);
            }
            entries++;
            position += bytes;
        }
        if (entries > maxEntries) {
            throw new IllegalArgumentException(
                    "transfer of " + length + " bytes needs " + entries + " PRD entries, table has "
                            + maxEntries);
        }
        return (int) entries;
    }
}
