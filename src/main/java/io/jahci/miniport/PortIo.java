package io.jahci.miniport;

import io.jahci.ahci.AtaCommand;
import io.jahci.ahci.AtaResult;
import io.jahci.ahci.AtaTaskFile;
import io.jahci.ahci.AtapiCdb;
import io.jahci.ahci.DeviceSignature;
import io.jahci.ahci.HbaCapabilities;
import io.jahci.ahci.IdentifyData;
import io.jahci.ataport.IoRequest;
import io.jahci.ataport.IoStatus;
import io.jahci.ataport.Verifier;
import io.jahci.fault.AtaCommandException;
import io.jahci.fault.CommandNotSupportedException;
import io.jahci.fault.ControllerLostException;
import io.jahci.fault.NoDeviceException;
import io.jahci.fault.PortException;
import io.jahci.hw.Transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The caller's side of a port ({@link AhciPort#io()}): reads and writes split into commands, FUA,
 * flush, any non-queued command given as a task file ({@link #execute}, which IDENTIFY and FLUSH go
 * through). Callers run at PASSIVE; each command is a preallocated {@link AhciCommand} taken from
 * the port's {@link CommandPool} and submitted through the port layer; its completion
 * ({@link #commandCompleted}) runs at DISPATCH on a port thread, with no lock held.
 *
 * <p>Data moves three ways: copied through the commands' DMA buffers, blocking ({@link #transfer}) or
 * with a future ({@link #submit(boolean, long, ByteBuffer)}), a {@link PortTransfer} allocated per call;
 * the same with the caller's reusable transfer, nothing allocated; or in place ({@link #reserve},
 * {@link #submitReserved}, {@link #executeReserved}, {@link #release}): the caller holds a command and
 * fills or reads its DMA buffer itself, no copy, nothing allocated (the NBD server's way).
 */
public final class PortIo {
    /** How much longer than the command timeout a caller waits: recovery's own time. */
    private static final long RECOVERY_ALLOWANCE_MILLIS = 15_000;
    private static final AtaTaskFile IDENTIFY_DEVICE =
            AtaTaskFile.dataIn(AtaCommand.IDENTIFY_DEVICE, 0, 0, 0, 0, IdentifyData.SIZE);
    private static final AtaTaskFile IDENTIFY_PACKET_DEVICE =
            AtaTaskFile.dataIn(AtaCommand.IDENTIFY_PACKET_DEVICE, 0, 0, 0, 0, IdentifyData.SIZE);
    private static final AtaTaskFile FLUSH_CACHE_EXT = AtaTaskFile.nonData(AtaCommand.FLUSH_CACHE_EXT, 0, 0, 0, 0);
    private static final AtaTaskFile FLUSH_CACHE = AtaTaskFile.nonData(AtaCommand.FLUSH_CACHE, 0, 0, 0, 0);
    private static final ByteBuffer NO_DATA = ByteBuffer.allocate(0);
    /** Bytes per block of an ATAPI CD/DVD medium's data (MMC-6 §4.2.2, Mode 1). */
    private static final int PACKET_BLOCK_BYTES = 2048;

    private final AhciPort port;
    private final CommandPool pool;
    private final AhciPortOptions options;
    private final long commandMillis;
    private final int bufferBytes;
    private volatile int sectorSize = 512;
    private volatile int maxSectorsPerCommand;
    private volatile boolean useNcq;

    /** Makes the port's command pool (no DMA yet: {@link CommandPool#setDepth} allocates). */
    PortIo(AhciPort port, Transport transport, AhciPortOptions options) {
        this.port = port;
        this.pool = new CommandPool(transport, options, this::commandCompleted);
        this.options = options;
        this.maxSectorsPerCommand = AhciCommand.maxSectors(options, sectorSize);
        this.commandMillis = options.timeouts().commandMillis();
        this.bufferBytes = options.bufferBytesPerCommand();
    }

    CommandPool pool() {
        return pool;
    }

    int sectorSize() {
        return sectorSize;
    }

    int maxSectorsPerCommand() {
        return maxSectorsPerCommand;
    }

    /** The most bytes one command moves: what one DMA buffer and its scatter list hold. Any level. */
    public int maxTransferBytes() {
        return maxSectorsPerCommand * sectorSize;
    }

    /** How many of the port's commands are taken now: in flight, or reserved by a caller. Any level. */
    public int commandsTaken() {
        return pool.taken();
    }

    boolean usesNcq() {
        return useNcq;
    }

    /**
     * Reads IDENTIFY DEVICE (ACS-3 §7.12), takes the sector size from it and sizes the queue:
     * NCQ when HBA, disk and options allow it, with depth min(CAP.NCS, the disk's depth, the
     * option). An ATAPI device answers IDENTIFY PACKET DEVICE (§7.13) instead and runs one command
     * at a time in 2048-byte blocks (CD/DVD data, MMC-6 §4.2.2). PASSIVE, with the channel started
     * and no command in flight.
     */
    IdentifyData identify(HbaCapabilities caps) throws PortException {
        boolean atapi = port.signature() == DeviceSignature.ATAPI;
        ByteBuffer data = ByteBuffer.allocate(IdentifyData.SIZE);
        execute(atapi ? IDENTIFY_PACKET_DEVICE : IDENTIFY_DEVICE, data);
        IdentifyData id = IdentifyData.parse(data, 0);
        sectorSize = atapi ? PACKET_BLOCK_BYTES : id.logicalSectorSize();
        maxSectorsPerCommand = AhciCommand.maxSectors(options, sectorSize);
        useNcq = !atapi && options.ncq() && caps.supportsNcq() && id.ncq();
        int depth = useNcq ? Math.min(Math.min(caps.commandSlots(), id.ncqDepth()), options.maxQueueDepth()) : 1;
        try {
            pool.setDepth(depth);
        } catch (IOException e) {
            throw new PortException(port.where() + ": cannot allocate DMA memory for " + depth + " commands: "
                    + e.getMessage(), e);
        }
        return id;
    }

    /**
     * Starts reading or writing {@code data.remaining()} bytes at {@code lba} (the caller checked the
     * range), split into commands of at most {@link #maxTransferBytes()} submitted at once up to the queue
     * depth (waiting only while all are in flight). The future completes when all have (the buffer's
     * position then at its limit), or exceptionally with the first failure. PASSIVE.
     */
    public CompletableFuture<Void> submit(boolean isWrite, long lba, ByteBuffer data) throws PortException {
        return submit(isWrite, lba, data, false, false);
    }

    /**
     * Like {@link #submit(boolean, long, ByteBuffer)}; with {@code fua} a write uses forced unit
     * access (WRITE FPDMA QUEUED with FUA, or WRITE DMA FUA EXT), so each command completes only
     * once its data is on the medium (if {@link AhciPort#supportsFua()}); with {@code awaited} the caller
     * waits for the future in {@link AhciPort#awaitCompletions}: in a polling mode only that wait
     * polls for these commands (the port's poller neither watches them nor is woken for them).
     */
    public CompletableFuture<Void> submit(boolean isWrite, long lba, ByteBuffer data, boolean fua, boolean awaited) throws PortException {
        PortTransfer t = PortTransfer.oneShot(data, true);
        submitChunks(t, isWrite, lba, data, fua, awaited);
        return t.future();
    }

    /** Like {@link #submit(boolean, long, ByteBuffer, boolean, boolean)} with the caller's idle, reusable {@code transfer},
     *  whose completion runs (DISPATCH) at the end; nothing is allocated. PASSIVE. */
    public void submit(PortTransfer transfer, boolean isWrite, long lba, ByteBuffer data, boolean fua, boolean awaited)
            throws PortException {
        transfer.start(data, true);
        submitChunks(transfer, isWrite, lba, data, fua, awaited);
    }

    /** Reads or writes and waits for the end; the buffer's position then is at its limit. PASSIVE. */
    public void transfer(boolean isWrite, long lba, ByteBuffer data) throws PortException {
        PortTransfer t = PortTransfer.oneShot(data, true);
        submitChunks(t, isWrite, lba, data, false, true);
        await(t.future());
    }

    /** Writes with forced unit access and waits for the end; see {@link #submit(boolean, long, ByteBuffer, boolean)}. */
    public void writeFua(long lba, ByteBuffer data) throws PortException {
        PortTransfer t = PortTransfer.oneShot(data, true);
        submitChunks(t, true, lba, data, true, true);
        await(t.future());
    }

    /**
     * Splits a started transfer into commands and submits them. With {@code callerWaits} the caller
     * will {@link #await} the transfer (and so polls for it in a polling completion mode); else the
     * port's poller watches it. If not one command could be submitted, the transfer is abandoned
     * and the exception thrown; a later failure becomes the failure of that chunk. PASSIVE.
     */
    private void submitChunks(PortTransfer transfer, boolean isWrite, long lba, ByteBuffer data, boolean fua,
                              boolean callerWaits) throws PortException {
        int opcode;
        try {
            opcode = dataOpcode(isWrite, fua);
        } catch (PortException | RuntimeException e) {
            transfer.abandon();
            throw e;
        }
        int bytes = data.remaining();
        int chunkBytes = maxSectorsPerCommand * sectorSize;
        for (int offset = 0; offset < bytes; offset += chunkBytes) {
            int length = Math.min(chunkBytes, bytes - offset);
            boolean started = false;
            try {
                AhciCommand c = acquire();
                if (isWrite) {
                    c.data().put(0, data, transfer.at(offset), length);
                }
                c.prepare(opcode, lba + offset / sectorSize, length / sectorSize, length, isWrite);
                c.fua = fua;
                c.transfer = transfer;
                c.transferOffset = offset;
                transfer.chunkStarted();
                started = true;
                submit(c, callerWaits);
            } catch (PortException e) {
                if (offset == 0) {
                    transfer.abandon();
                    throw e;
                }
                if (!started) {
                    transfer.chunkStarted(); // counted so that chunkDone can record the failure
                }
                transfer.chunkDone(e);
                break;
            }
        }
        transfer.allSubmitted();
    }

    /**
     * The read or write opcode for this disk, after checking that it can move data: not an ATAPI
     * device, FUA only for writes to a disk that has it. PASSIVE.
     */
    private int dataOpcode(boolean isWrite, boolean fua) throws PortException {
        checkReady();
        if (port.signature() == DeviceSignature.ATAPI) {
            throw new IllegalStateException(port.where() + " holds an ATAPI (CD/DVD) device: it reads with PACKET "
                    + "commands (packet()), not READ DMA");
        }
        if (fua && !(isWrite && port.supportsFua())) {
            throw new IllegalArgumentException(port.where()
                    + ": FUA is for writes to a disk that supports it (IDENTIFY word 84 bit 6)");
        }
        return AhciCommand.dataOpcode(isWrite, fua, useNcq, port.identified().lba48());
    }

    // ---------------------------------------------------------------- in place (a reserved command)

    /**
     * Reserves one of the port's commands for {@code transfer} (waiting while all are in flight)
     * and returns its DMA buffer limited to {@code bytes}, to fill before {@link #submitReserved}
     * writes it or to read after a read completed: no copy. The command stays the transfer's, and
     * counts against the queue depth, until {@link #release}. PASSIVE.
     *
     * @param bytes a whole number of sectors, at most {@link #maxTransferBytes()}
     * @throws IllegalStateException if the transfer already holds a command
     */
    public ByteBuffer reserve(PortTransfer transfer, int bytes) throws PortException {
        if (transfer.reserved != null) {
            throw new IllegalStateException(port.where() + ": this transfer already holds command " + transfer.reserved.index
                    + "; release it first");
        }
        if (transfer.inFlight()) {
            throw new IllegalStateException(port.where() + ": this transfer is in flight; reserve after its completion ran");
        }
        if (bytes <= 0 || bytes % sectorSize != 0 || bytes > maxTransferBytes()) {
            throw new IllegalArgumentException(port.where() + ": cannot reserve " + bytes + " bytes: a reserved command "
                    + "moves a whole number of " + sectorSize + "-byte sectors, at most " + maxTransferBytes());
        }
        AhciCommand c = acquire();
        transfer.reserved = c;
        transfer.reservedBytes = bytes;
        return transfer.data();
    }

    /**
     * Reads or writes the reserved bytes at {@code lba} in place through the transfer's reserved command (which
     * stays reserved); its completion is called at the end. {@code awaited} as in {@link #submit(boolean, long,
     * ByteBuffer, boolean, boolean)}. PASSIVE; nothing is allocated.
     */
    public void submitReserved(PortTransfer transfer, boolean isWrite, long lba, boolean fua, boolean awaited) throws PortException {
        AhciCommand c = idleReservedCommand(transfer);
        int opcode = dataOpcode(isWrite, fua);
        c.prepare(opcode, lba, transfer.reservedBytes / sectorSize, transfer.reservedBytes, isWrite);
        c.fua = fua;
        transfer.start(null, false);
        submitAlone(transfer, c, awaited);
    }

    /**
     * Runs the non-queued {@code tf} ({@link #execute}, e.g. {@link #flushTaskFile()}) through the reserved command, its
     * data (at most the reserved bytes) in the reserved buffer; {@code awaited} as in {@link #submitReserved}. PASSIVE.
     */
    public void executeReserved(PortTransfer transfer, AtaTaskFile tf, boolean awaited) throws PortException {
        AhciCommand c = idleReservedCommand(transfer);
        checkReady();
        c.prepare(tf);
        transfer.start(null, false);
        submitAlone(transfer, c, awaited);
    }

    /**
     * Gives the transfer's reserved command back to the port. PASSIVE or DISPATCH (from the
     * transfer's completion); allocates nothing.
     *
     * @throws IllegalStateException if it holds none, or the command is still in flight
     */
    public void release(PortTransfer transfer) {
        AhciCommand c = reservedCommand(transfer);
        if (c.transfer != null) {
            throw new IllegalStateException(port.where() + ": command " + c.index + " is still in flight; release it "
                    + "from its completion or after it");
        }
        transfer.reserved = null;
        pool.release(c);
    }

    private AhciCommand reservedCommand(PortTransfer transfer) {
        AhciCommand c = transfer.reserved;
        if (c == null) {
            throw new IllegalStateException(port.where() + ": this transfer holds no command (reserve one first)");
        }
        return c;
    }

    /** The reserved command, checked idle before the caller rewrites it. */
    private AhciCommand idleReservedCommand(PortTransfer transfer) {
        AhciCommand c = reservedCommand(transfer);
        if (transfer.inFlight()) {
            throw new IllegalStateException(port.where() + ": a transfer was started again before its completion ran");
        }
        return c;
    }

    /**
     * Submits {@code c} as the only chunk of a started transfer; if the port refuses it, the
     * transfer is abandoned and the exception thrown. PASSIVE.
     */
    private void submitAlone(PortTransfer transfer, AhciCommand c, boolean callerWaits) throws PortException {
        c.transfer = transfer;
        transfer.chunkStarted();
        try {
            submit(c, callerWaits);
        } catch (PortException e) {
            transfer.abandon();
            throw e;
        }
        transfer.allSubmitted();
    }

    /**
     * Waits for a one-shot transfer started with {@code callerWaits}: in {@link AhciPort#awaitCompletions} (servicing
     * the interrupt, or polling), then on the future (parked, when another thread services the interrupt). PASSIVE.
     */
    private void await(CompletableFuture<Void> future) throws PortException {
        Verifier.mightSleep("PortIo.await");
        long waitMillis = commandMillis + RECOVERY_ALLOWANCE_MILLIS;
        try {
            port.awaitCompletions(future::isDone, waitMillis, TimeUnit.MILLISECONDS);
            future.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw (PortException) e.getCause();
        } catch (TimeoutException e) {
            throw new PortException(port.where() + ": a command neither completed nor timed out within " + waitMillis
                    + " ms; the port layer lost it. Restart the controller.\n" + port.history());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortException(port.where() + ": interrupted while waiting for a command");
        }
    }

    /**
     * FLUSH CACHE EXT (or FLUSH CACHE on a 28-bit device), ACS-3 §7.10 and §7.9. A non-queued
     * command: it starts once the queued commands before it completed, so every write that
     * completed before flush() was called is durable when it returns. PASSIVE.
     */
    public void flush() throws PortException {
        checkReady();
        execute(flushTaskFile(), null);
    }

    public AtaTaskFile flushTaskFile() {
        return port.identity().lba48() ? FLUSH_CACHE_EXT : FLUSH_CACHE;
    }

    /**
     * Runs one non-queued ATA command given as a task file and waits for it: the generic entry
     * point for DATA SET MANAGEMENT, SMART, CHECK POWER MODE, STANDBY/IDLE and SET FEATURES
     * (IDENTIFY and FLUSH go through it too). It waits for the queued commands in flight to
     * complete, runs alone, and holds back later ones until it ends (AHCI 1.3.1 §5.6.4: queued and
     * non-queued commands never share the port). After a successful SLEEP the port is marked
     * asleep ({@link PortSleep}). PASSIVE.
     *
     * @param tf   the command; its {@link AtaTaskFile#byteCount()} bytes move in its direction
     * @param data exactly {@code byteCount} bytes between position and limit: filled for IN, sent
     *             for OUT (the position does not move); null for NONE
     * @return status and error, and the D2H Register FIS's LBA and COUNT (e.g. SMART RETURN STATUS's
     *     4Fh/C2h, CHECK POWER MODE's count); see {@link AtaResult#hasRegisters()}
     * @throws CommandNotSupportedException the device aborted it (ABRT alone): it does not implement
     *     it; no COMRESET follows (recovery only restarts the command engine, AHCI 1.3.1 §6.2.2.1)
     * @throws AtaCommandException the device failed it otherwise (ERR)
     * @throws NoDeviceException   no disk on the port
     * @throws IllegalArgumentException the buffer does not match {@code byteCount}, or exceeds a
     *     command's DMA buffer ({@link AhciPortOptions#bufferBytesPerCommand()})
     */
    public AtaResult execute(AtaTaskFile tf, ByteBuffer data) throws PortException {
        AtaResult result = run(tf, null, data).result();
        if (tf.command() == AtaCommand.SLEEP) {
            port.sleep().fellAsleep();
        }
        return result;
    }

    /**
     * A PACKET command (ACS-3 §7.18) carrying the 12-byte ATAPI command block {@code cdb} (from its
     * position) in the ACMD area, its data, if any, by DMA into {@code data}. Returns the bytes the
     * device sent (PRDBC), which may be fewer than asked for. A CHECK CONDITION fails with an
     * {@link AtaCommandException} whose error register holds the sense key (bits 7:4). PASSIVE.
     */
    public int packet(ByteBuffer cdb, ByteBuffer data) throws PortException {
        if (cdb.remaining() < AtapiCdb.LENGTH) {
            throw new IllegalArgumentException("an ATAPI command block has " + AtapiCdb.LENGTH + " bytes, not "
                    + cdb.remaining());
        }
        return run(AtapiCdb.packetTaskFile(data == null ? 0 : data.remaining()), cdb, data).transferred();
    }

    private PortTransfer run(AtaTaskFile tf, ByteBuffer cdb, ByteBuffer data) throws PortException {
        int bytes = data == null ? 0 : data.remaining();
        if (bytes != tf.byteCount() || tf.byteCount() > bufferBytes) {
            throw new IllegalArgumentException(port.where() + ": " + AtaCommand.name(tf.command()) + " moves "
                    + tf.byteCount() + " bytes " + tf.direction() + ", but the buffer has " + bytes
                    + " remaining; pass a buffer of exactly that size (null for NONE), at most " + bufferBytes
                    + " bytes (the command's DMA buffer)");
        }
        ByteBuffer buffer = data == null ? NO_DATA : data;
        PortTransfer transfer = PortTransfer.oneShot(buffer, false);
        AhciCommand c = acquire();
        if (tf.direction() == AtaTaskFile.Direction.OUT) {
            c.data().put(0, buffer, buffer.position(), bytes);
        }
        c.prepare(tf);
        if (cdb != null) {
            c.packet(cdb);
        }
        submitAlone(transfer, c, true);
        await(transfer.future());
        return transfer;
    }

    private AhciCommand acquire() throws PortException {
        checkReady();
        port.sleep().wakeIfAsleep();
        try {
            return pool.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortException(port.where() + ": interrupted while waiting for a free command slot");
        }
    }

    private void submit(AhciCommand c, boolean callerWaits) throws PortException {
        try {
            c.request.setCallerPolls(callerWaits);
            port.channel().submit(c.request);
        } catch (IllegalStateException e) {
            if (c.transfer != null && c.transfer.reserved == c) {
                c.transfer = null; // its transfer keeps the command
            } else {
                pool.release(c);
            }
            throw new PortException(port.where() + " does not take commands: " + e.getMessage(), e);
        }
    }

    private void checkReady() throws PortException {
        if (port.loss().isLost()) {
            throw new ControllerLostException(port.where() + ": " + port.loss().describe() + "\n" + port.history());
        }
        PortState s = port.state();
        if (s == PortState.NO_DEVICE) {
            throw new NoDeviceException(port.where() + " is NO_DEVICE, not READY: no disk is attached.");
        }
        if (s != PortState.READY && s != PortState.RECOVERING) {
            throw new PortException(port.where() + " is " + s + ", not READY: restart the controller.");
        }
    }

    /**
     * The completion of one command (the IoRequest's callback). DISPATCH, on a port thread: copies
     * read data out (unless the caller reads it in place), gives the command back (unless it is
     * reserved), counts the chunk in its transfer. Allocates nothing unless the command failed.
     */
    private void commandCompleted(IoRequest request) {
        AhciCommand c = (AhciCommand) request.payload();
        PortTransfer t = c.transfer;
        boolean inPlace = t.reserved == c;
        PortException error = request.status() == IoStatus.SUCCESS ? null : CommandFailure.of(port, c, request.status(),
                commandMillis);
        // a PACKET command's reply may be shorter than asked for: PRDBC says how much came
        int moved = c.atapi ? Math.min(c.bytes, c.transferred) : c.bytes;
        if (error == null && !c.isWrite && moved > 0 && !inPlace) {
            t.buffer().put(t.at(c.transferOffset), c.data(), 0, moved);
        }
        if (error == null && c.callerTaskFile != null) {
            t.result(c.resultTaskFile, c.resultLba, c.resultCount, moved);
        }
        c.transfer = null;
        if (!inPlace) {
            pool.release(c);
        }
        t.chunkDone(error);
    }
}
