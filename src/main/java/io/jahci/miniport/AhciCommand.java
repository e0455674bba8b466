package io.jahci.miniport;

import io.jahci.ahci.AtaCommand;
import io.jahci.ahci.AtaTaskFile;
import io.jahci.ahci.AtapiCdb;
import io.jahci.ahci.CommandHeader;
import io.jahci.ahci.CommandTable;
import io.jahci.ahci.D2HRegisterFis;
import io.jahci.ahci.PrdTable;
import io.jahci.ahci.ReceivedFis;
import io.jahci.ahci.RegisterH2DFis;
import io.jahci.ataport.IoCompletion;
import io.jahci.ataport.IoRequest;
import io.jahci.fault.Fault;
import io.jahci.hw.DmaMemory;
import io.jahci.hw.Transport;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One ATA command with its own DMA: a command table (FIS + PRD list) and a data buffer that user
 * data is copied through. Command {@code i} of a port always runs in slot {@code i}, which is also
 * its NCQ tag (AHCI 1.3.1 §5.6.4: the tag is the slot number). It is the payload of its
 * {@link IoRequest}: BuildIo writes the table, StartIo points slot {@code i}'s header at it.
 * Preallocated per port and reused, so issuing a command allocates nothing.
 *
 * <p>Fields describing the command are written by the submitting thread before submit; the
 * result fields by the ISR or the recovery work item before the request completes, and read in
 * the completion (the request's completion orders them).
 */
final class AhciCommand {
    /** The unit of physical contiguity DMA buffers are guaranteed at least: a page. */
    static final int PAGE_BYTES = 4096;
    private final DmaMemory table;
    private final DmaMemory data;
    /** The data buffer as a caller moves data through it in place ({@link PortTransfer#data()}). */
    private final ByteBuffer dataView;
    private final PrdTable.BusMap dataMap;
    private final int prdEntries;
    private final int maxPrdEntryBytes;
    /** The slot and NCQ tag. */
    final int index;
    final IoRequest request;

    // What to run: set by the submitter.
    int opcode;
    long lba;
    int sectors;
    int bytes;
    boolean isWrite;
    /** Forced unit access: the write reaches the medium before the command completes. */
    boolean fua;
    int prds;
    /** The user transfer this command is a chunk of, and where in its buffer the chunk lies. */
    PortTransfer transfer;
    int transferOffset;
    /** A caller's task file ({@link PortIo#execute}): the FIS is written from it as given; else null. */
    AtaTaskFile callerTaskFile;
    /** With a PACKET {@link #callerTaskFile}: the ATAPI command block for the ACMD area (§4.2.3). */
    final byte[] cdb = new byte[AtapiCdb.LENGTH];
    boolean atapi;

    // How it ended: set by the ISR or recovery, read in the completion.
    /** PxIS error bits that failed it; 0 when it did not fail on a PxIS error. */
    int errorInterrupts;
    /** PxTFD when it failed. */
    int taskFile;
    boolean timedOut;
    /** It failed because the controller was lost ({@link ControllerLoss}). */
    boolean lost;
    /** The byte count the HBA reported (PRDBC) when it moved less than asked; -1 otherwise. */
    int shortTransferBytes = -1;
    /** The fault a failure without error bits names (recovery sets it; PORT_FAILED otherwise). */
    Fault fault = Fault.PORT_FAILED;
    /** What recovery did (a sentence for the error message), or why the command was refused. */
    String outcome;
    /** For a {@link #callerTaskFile} command, captured at DIRQL as it completed: PxTFD and the D2H FIS's registers. */
    int resultTaskFile;
    long resultLba;
    int resultCount;
    /** For a {@link #callerTaskFile} command: the bytes the HBA moved (the header's PRDBC), captured at DIRQL. */
    int transferred;

    AhciCommand(int index, Transport transport, AhciPortOptions options, IoCompletion completion) throws IOException {
        this.index = index;
        this.prdEntries = options.prdEntriesPerCommand();
        this.maxPrdEntryBytes = options.maxPrdEntryBytes();
        this.table = transport.allocateDma(CommandTable.size(prdEntries), CommandTable.ALIGNMENT);
        DmaMemory buffer;
        try {
            buffer = transport.allocateDma(options.bufferBytesPerCommand(), PAGE_BYTES);
        } catch (IOException | RuntimeException e) {
            table.close();
            throw e;
        }
        this.data = buffer;
        this.dataView = buffer.buffer().duplicate().order(buffer.buffer().order());
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
        this.request = new IoRequest(this, completion);
    }

    /** The data buffer user data is copied through. */
    ByteBuffer data() {
        return data.buffer();
    }

    /** The data buffer for a caller that moves data in place; the caller owns its position and limit. */
    ByteBuffer dataView() {
        return dataView;
    }

    /** The highest bus address of the table and buffer, to check a 32-bit HBA can reach them. */
    long highestBusAddress() {
        return Math.max(table.busAddress(table.size() - 1), data.busAddress(data.size() - 1));
    }

    /** Describes the next command; for a write the caller has copied the data into {@link #data()}. */
    void prepare(int ataOpcode, long firstLba, int sectorCount, int byteCount, boolean write) {
        opcode = ataOpcode;
        lba = firstLba;
        sectors = sectorCount;
        bytes = byteCount;
        isWrite = write;
        fua = false;
        transfer = null;
        transferOffset = 0;
        callerTaskFile = null;
        atapi = false;
        transferred = 0;
        errorInterrupts = 0;
        taskFile = 0;
        timedOut = false;
        lost = false;
        shortTransferBytes = -1;
        fault = Fault.PORT_FAILED;
        outcome = null;
    }

    /**
     * The bytes the HBA says it moved for this command: PRDBC of its slot's header (AHCI 1.3.1
     * §4.2.2), read once the command completed and before the slot is reused. The one place a
     * completion's byte count is read: the short-transfer check here, and ATAPI's variable-length
     * replies.
     */
    int bytesTransferred(ByteBuffer commandList, int listOffset) {
        return CommandHeader.prdByteCount(commandList, listOffset, index);
    }

    /**
     * Whether a completed data command moved fewer (or more) bytes than asked, given its PRDBC:
     * its buffer then holds stale data and it must fail. Non-queued commands only: jahci does not
     * rely on PRDBC for NCQ commands (whether every HBA totals their DMA Setup phases there is not
     * checked), the device's status is all there is for them. Pure.
     */
    boolean shortTransfer(int transferred) {
        return bytes > 0 && !queued() && transferred != bytes;
    }

    /** Describes a caller's command from its task file (no LBA range: sectors stays 0 in messages). */
    void prepare(AtaTaskFile tf) {
        prepare(tf.command(), tf.lba(), 0, tf.byteCount(), tf.direction() == AtaTaskFile.Direction.OUT);
        callerTaskFile = tf;
    }

    /**
     * Records how a task-file command ended: {@code tfd} is PxTFD now, and the received-FIS area's
     * D2H Register FIS counts only if it arrived since issue ({@link #clearD2hFis}). DIRQL, as the
     * command completes, before another command can be issued. Allocates nothing.
     */
    void captureResult(ByteBuffer structures, int fisOffset, int tfd) {
        resultTaskFile = tfd;
        transferred = CommandHeader.prdByteCount(structures, PortLink.LIST_OFFSET, index);
        boolean arrived = (structures.get(fisOffset + ReceivedFis.RFIS) & 0xff) == D2HRegisterFis.TYPE;
        resultLba = arrived ? ReceivedFis.lba(structures, fisOffset) : -1;
        resultCount = arrived ? ReceivedFis.count(structures, fisOffset) : -1;
    }

    /** Forgets the last D2H Register FIS, so {@link #captureResult} sees whether a new one came. DIRQL, port idle. */
    static void clearD2hFis(ByteBuffer structures, int fisOffset) {
        structures.put(fisOffset + ReceivedFis.RFIS, (byte) 0);
    }

    /** Makes a PACKET task-file command carry the 12 bytes of {@code packet} (from its position). After {@link #prepare(AtaTaskFile)}. */
    void packet(ByteBuffer packet) {
        atapi = true;
        packet.get(packet.position(), cdb);
    }

    /**
     * The opcode that reads or writes on this disk: READ/WRITE FPDMA QUEUED with NCQ (FUA as a
     * FIS bit), else WRITE DMA FUA EXT for a FUA write, else the 48-bit or 28-bit DMA command
     * (READ/WRITE FPDMA QUEUED: ACS-3 §7.23, §7.59). Pure.
     */
    static int dataOpcode(boolean isWrite, boolean fua, boolean ncq, boolean lba48) {
        if (ncq) {
            return isWrite ? AtaCommand.WRITE_FPDMA_QUEUED : AtaCommand.READ_FPDMA_QUEUED;
        }
        if (isWrite && fua) {
            return AtaCommand.WRITE_DMA_FUA_EXT;
        }
        if (lba48) {
            return isWrite ? AtaCommand.WRITE_DMA_EXT : AtaCommand.READ_DMA_EXT;
        }
        return isWrite ? AtaCommand.WRITE_DMA : AtaCommand.READ_DMA;
    }

    /** READ/WRITE FPDMA QUEUED (ACS-3 §7.23, §7.59): goes through PxSACT and may share the port. */
    boolean queued() {
        return opcode == AtaCommand.READ_FPDMA_QUEUED || opcode == AtaCommand.WRITE_FPDMA_QUEUED;
    }

    /** Turns a queued command into its non-queued twin, to retry it alone during recovery. */
    void makeNonQueued() {
        if (opcode == AtaCommand.READ_FPDMA_QUEUED) {
            opcode = AtaCommand.READ_DMA_EXT;
        } else if (opcode == AtaCommand.WRITE_FPDMA_QUEUED) {
            opcode = fua ? AtaCommand.WRITE_DMA_FUA_EXT : AtaCommand.WRITE_DMA_EXT;
        }
    }

    /**
     * Writes the Register H2D FIS and the PRD list into the command table (AHCI 1.3.1 §4.2.3).
     * Runs in BuildIo on the submitting thread, or in recovery: the table is this command's own.
     */
    void buildTable() {
        ByteBuffer mem = table.buffer();
        int fis = CommandTable.CFIS;
        if (callerTaskFile != null) {
            callerTaskFile.writeFis(mem, fis);
            if (atapi) {
                mem.put(CommandTable.ACMD, cdb);
                for (int i = AtapiCdb.LENGTH; i < CommandTable.ACMD_SIZE; i++) {
                    mem.put(CommandTable.ACMD + i, (byte) 0);
                }
            }
        } else {
            writeFis(mem, fis);
        }
        prds = bytes == 0 ? 0 : PrdTable.build(mem, CommandTable.PRDT, prdEntries, dataMap, 0, bytes, maxPrdEntryBytes);
    }

    private void writeFis(ByteBuffer mem, int fis) {
        switch (opcode) {
            case AtaCommand.READ_FPDMA_QUEUED -> RegisterH2DFis.readFpdmaQueued(mem, fis, lba, sectors, index);
            case AtaCommand.WRITE_FPDMA_QUEUED -> {
                if (fua) {
                    RegisterH2DFis.writeFpdmaQueuedFua(mem, fis, lba, sectors, index);
                } else {
                    RegisterH2DFis.writeFpdmaQueued(mem, fis, lba, sectors, index);
                }
            }
            case AtaCommand.READ_DMA_EXT -> RegisterH2DFis.readDmaExt(mem, fis, lba, sectors);
            case AtaCommand.WRITE_DMA_EXT -> RegisterH2DFis.writeDmaExt(mem, fis, lba, sectors);
            case AtaCommand.WRITE_DMA_FUA_EXT -> RegisterH2DFis.writeDmaFuaExt(mem, fis, lba, sectors);
            case AtaCommand.READ_DMA -> RegisterH2DFis.readDma(mem, fis, lba, sectors);
            case AtaCommand.WRITE_DMA -> RegisterH2DFis.writeDma(mem, fis, lba, sectors);
            // For READ LOG EXT, lba holds the log address and sectors the page count.
            case AtaCommand.READ_LOG_EXT -> RegisterH2DFis.readLogExt(mem, fis, (int) lba, 0, sectors);
            default -> throw new IllegalArgumentException("unsupported command " + AtaCommand.name(opcode));
        }
    }

    /** Points this command's slot header in the list at its table (§4.2.2). Runs at DIRQL. */
    void writeHeader(ByteBuffer commandList, int listOffset) {
        CommandHeader.write(commandList, listOffset, index, RegisterH2DFis.LENGTH_DWORDS, isWrite, atapi, false,
                false, prds, table.busAddress(0));
    }

    /**
     * The largest transfer one command can carry with these buffers and scatter lists, even when
     * the buffer's memory is contiguous only page by page (UIO without huge pages): one PRD entry
     * covers at least a 4 KiB page, since buffers are page-aligned.
     */
    static int maxSectors(AhciPortOptions options, int sectorSize) {
        long perEntry = Math.min(options.maxPrdEntryBytes(), PAGE_BYTES);
        long bytes = Math.min(options.bufferBytesPerCommand(), options.prdEntriesPerCommand() * perEntry);
        return (int) Math.min(RegisterH2DFis.MAX_SECTORS_EXT, bytes / sectorSize);
    }

    void release() {
        data.close();
        table.close();
    }
}
