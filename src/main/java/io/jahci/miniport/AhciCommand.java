package io.jahci.miniport;

import io.jahci.ahci.AtaCommand;
import io.jahci.ahci.CommandHeader;
import io.jahci.ahci.CommandTable;
import io.jahci.ahci.PrdTable;
import io.jahci.ahci.RegisterH2DFis;
import io.jahci.ataport.IoRequest;
import io.jahci.hw.DmaMemory;
import io.jahci.hw.Transport;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One ATA command with its own DMA: a command table (FIS + PRD list) and a data buffer that user
 * data is copied through. It is the payload of its {@link IoRequest}: BuildIo writes the table,
 * StartIo only has to pick a slot and point the slot's command header at it. Preallocated per
 * port and reused, so issuing a command allocates nothing.
 *
 * <p>Fields describing the command are written by the submitting thread before submit; the
 * result fields by the ISR or the recovery work item before the request completes, and read by
 * the submitter after it completed (the request's completion orders them).
 */
final class AhciCommand {
    private final DmaMemory table;
    private final DmaMemory data;
    private final PrdTable.BusMap dataMap;
    private final int prdEntries;
    private final int maxPrdEntryBytes;
    final IoRequest request;

    // What to run: set by the submitter.
    int opcode;
    long lba;
    int sectors;
    int bytes;
    boolean isWrite;
    int prds;

    // How it ended: set by the ISR or recovery, read by the submitter after completion.
    /** The slot it ran in while in flight. */
    int slot = -1;
    /** PxIS error bits that failed it; 0 when it did not fail on a PxIS error. */
    int errorInterrupts;
    /** PxTFD when it failed. */
    int taskFile;
    boolean timedOut;
    /** What recovery did (a sentence for the error message), or why it was refused. */
    String outcome;

    AhciCommand(Transport transport, AhciPortOptions options) throws IOException {
        this.prdEntries = options.prdEntriesPerCommand();
        this.maxPrdEntryBytes = options.maxPrdEntryBytes();
        this.table = transport.allocateDma(CommandTable.size(prdEntries), CommandTable.ALIGNMENT);
        DmaMemory buffer;
        try {
            buffer = transport.allocateDma(options.bounceBufferBytes(), 4096);
        } catch (IOException | RuntimeException e) {
            table.close();
            throw e;
        }
        this.data = buffer;
        this.dataMap = new PrdTable.BusMap() {
            @Override
            public long busAddress(long offset) {
                return data.busAddress(offset);
            }

            @Override
            public long contiguousBytes(long offset) {
                return data.contiguousBytes(offset);
            }
        };
        this.request = new IoRequest(this, null);
    }

    /** The data buffer user data is copied through. */
    ByteBuffer data() {
        return data.buffer();
    }

    /** Bus addresses of the table and buffer, to check a 32-bit HBA can reach them. */
    long highestBusAddress() {
        return Math.max(table.busAddress(table.size() - 1), data.busAddress(data.size() - 1));
    }

    long tableBusAddress() {
        return table.busAddress(0);
    }

    /** Describes the next command; the caller has copied write data into {@link #data()}. */
    void prepare(int ataOpcode, long firstLba, int sectorCount, int byteCount, boolean write) {
        opcode = ataOpcode;
        lba = firstLba;
        sectors = sectorCount;
        bytes = byteCount;
        isWrite = write;
        slot = -1;
        errorInterrupts = 0;
        taskFile = 0;
        timedOut = false;
        outcome = null;
    }

    /**
     * Writes the Register H2D FIS and the PRD list into the command table (AHCI 1.3.1 §4.2.3).
     * Runs in BuildIo, on the submitting thread, unsynchronized: the table is this command's own.
     */
    void buildTable() {
        ByteBuffer mem = table.buffer();
        int fis = CommandTable.CFIS;
        switch (opcode) {
            case AtaCommand.READ_DMA_EXT -> RegisterH2DFis.readDmaExt(mem, fis, lba, sectors);
            case AtaCommand.WRITE_DMA_EXT -> RegisterH2DFis.writeDmaExt(mem, fis, lba, sectors);
            case AtaCommand.READ_DMA -> RegisterH2DFis.readDma(mem, fis, lba, sectors);
            case AtaCommand.WRITE_DMA -> RegisterH2DFis.writeDma(mem, fis, lba, sectors);
            case AtaCommand.IDENTIFY_DEVICE -> RegisterH2DFis.identifyDevice(mem, fis);
            case AtaCommand.FLUSH_CACHE_EXT -> RegisterH2DFis.flushCacheExt(mem, fis);
            case AtaCommand.FLUSH_CACHE -> RegisterH2DFis.flushCache(mem, fis);
            default -> throw new IllegalArgumentException("unsupported command " + AtaCommand.name(opcode));
        }
        prds = bytes == 0 ? 0 : PrdTable.build(mem, CommandTable.PRDT, prdEntries, dataMap, 0, bytes, maxPrdEntryBytes);
    }

    /** Points command header {@code slotNumber} of the list at this table (§4.2.2). Runs at DIRQL. */
    void writeHeader(ByteBuffer commandList, int listOffset, int slotNumber) {
        CommandHeader.write(commandList, listOffset, slotNumber, RegisterH2DFis.LENGTH_DWORDS, isWrite, false, false,
                false, prds, tableBusAddress());
    }

    /** The largest transfer one command can carry with this buffer and scatter list. */
    static int maxSectors(AhciPortOptions options, int sectorSize) {
        long bytes = Math.min(options.bounceBufferBytes(), (long) options.prdEntriesPerCommand() * options.maxPrdEntryBytes());
        return (int) Math.min(RegisterH2DFis.MAX_SECTORS_EXT, bytes / sectorSize);
    }

    void release() {
        data.close();
        table.close();
    }
}
