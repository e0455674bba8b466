package io.jahci.miniport;

import io.jahci.ahci.AtaCommand;
import io.jahci.ahci.AtaResult;
import io.jahci.ahci.AtaTaskFile;
import io.jahci.ahci.AtaStatus;
import io.jahci.ahci.AtapiCdb;
import io.jahci.ahci.DeviceSignature;
import io.jahci.ahci.HbaCapabilities;
import io.jahci.ahci.IdentifyData;
import io.jahci.ahci.PortIs;
import io.jahci.ahci.PortTfd;
import io.jahci.ataport.IoRequest;
import io.jahci.ataport.IoStatus;
import io.jahci.fault.AtaCommandException;
import io.jahci.fault.CommandNotSupportedException;
import io.jahci.fault.CommandTimeoutException;
import io.jahci.fault.ControllerLostException;
import io.jahci.fault.Fault;
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
 * The caller's side of a port: reads and writes split into commands, FUA, flush, any non-queued
 * command given as a task file ({@link #execute}, which IDENTIFY and FLUSH go through), and
 * the failure a caller sees when a command fails (with what it means and what to do). Callers run
 * at PASSIVE; each command is a preallocated {@link AhciCommand} taken from the port's
 * {@link CommandPool} and submitted through the port layer; its completion
 * ({@link #commandCompleted}) runs at DISPATCH on a port worker, with no lock held.
 */
final class PortIo {
    /** How much longer than the command timeout a caller waits: recovery's own time. */
    private static final long RECOVERY_ALLOWANCE_MILLIS = 15_000;
    private static final AtaTaskFile IDENTIFY_DEVICE =
            AtaTaskFile.dataIn(AtaCommand.IDENTIFY_DEVICE, 0, 0, 0, 0, IdentifyData.SIZE);
    private static final AtaTaskFile IDENTIFY_PACKET_DEVICE =
            AtaTaskFile.dataIn(AtaCommand.IDENTIFY_PACKET_DEVICE, 0, 0, 0, 0, IdentifyData.SIZE);
    private static final ByteBuffer NO_DATA = ByteBuffer.allocate(0);
    /** Bytes per block of an ATAPI CD/DVD medium's data (MMC-6 §4.2.2, Mode 1). */
    private static final int PACKET_BLOCK_BYTES = 2048;
    /** The largest even byte count a PIO packet data phase may carry (ACS-3 §7.18.3). */
    private static final long PACKET_BYTE_COUNT_LIMIT = 0xFFFE;

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

    boolean usesNcq() {
        return useNcq;
    }

    /**
     * Reads IDENTIFY DEVICE (ACS-3 §7.12), takes the sector size from it and sizes the queue:
     * NCQ when HBA, disk and options allow it, with depth min(CAP.NCS, the disk's depth, the
     * option). PASSIVE, with the channel started and no command in flight.
     */
    IdentifyData identify(HbaCapabilities caps) throws PortException {
        if (port.signature() == DeviceSignature.ATAPI) {
            return identifyPacketDevice();
        }
        ByteBuffer data = ByteBuffer.allocate(IdentifyData.SIZE);
        execute(IDENTIFY_DEVICE, data);
        IdentifyData id = IdentifyData.parse(data, 0);
        sectorSize = id.logicalSectorSize();
        maxSectorsPerCommand = AhciCommand.maxSectors(options, sectorSize);
        useNcq = options.ncq() && caps.supportsNcq() && id.ncq();
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
     * IDENTIFY PACKET DEVICE (ACS-3 §7.13) for an ATAPI device: one command at a time, no NCQ,
     * 2048-byte blocks (CD/DVD data, MMC-6 §4.2.2). PASSIVE, channel started, nothing in flight.
     */
    private IdentifyData identifyPacketDevice() throws PortException {
        ByteBuffer data = ByteBuffer.allocate(IdentifyData.SIZE);
        execute(IDENTIFY_PACKET_DEVICE, data);
        sectorSize = PACKET_BLOCK_BYTES;
        maxSectorsPerCommand = AhciCommand.maxSectors(options, sectorSize);
        useNcq = false;
        try {
            pool.setDepth(1);
        } catch (IOException e) {
            throw new PortException(port.where() + ": cannot allocate DMA memory for 1 command: " + e.getMessage(), e);
        }
        return IdentifyData.parse(data, 0);
    }

    /**
     * See {@link AhciPort#submit(boolean, long, ByteBuffer, boolean)}. With {@code callerWaits}
     * the caller will {@link #await} the transfer (and so polls for it in a polling completion
     * mode); else the port's poller watches it. PASSIVE.
     */
    CompletableFuture<Void> submit(boolean isWrite, long lba, ByteBuffer data, boolean fua, boolean callerWaits)
            throws PortException {
        checkReady();
        if (port.signature() == DeviceSignature.ATAPI) {
            throw new IllegalStateException(port.where() + " holds an ATAPI (CD/DVD) device: it reads with PACKET "
                    + "commands (packet()), not READ DMA");
        }
        if (fua && !(isWrite && port.supportsFua())) {
            throw new IllegalArgumentException(port.where()
                    + ": FUA is for writes to a disk that supports it (IDENTIFY word 84 bit 6)");
        }
        int opcode = isWrite ? (fua && !useNcq ? AtaCommand.WRITE_DMA_FUA_EXT : writeOpcode()) : readOpcode();
        int bytes = data.remaining();
        PortTransfer transfer = new PortTransfer(data);
        int chunkBytes = maxSectorsPerCommand * sectorSize;
        for (int offset = 0; offset < bytes; offset += chunkBytes) {
            int length = Math.min(chunkBytes, bytes - offset);
            AhciCommand c = acquire();
            if (isWrite) {
                c.data().put(0, data, transfer.at(offset), length);
            }
            c.prepare(opcode, lba + offset / sectorSize, length / sectorSize, length, isWrite);
            c.fua = fua;
            c.transfer = transfer;
            c.transferOffset = offset;
            transfer.chunkStarted();
            submit(c, callerWaits);
        }
        transfer.allSubmitted();
        return transfer.future();
    }

    /**
     * Waits for a transfer {@link #submit} started with {@code callerWaits}; see
     * {@link AhciPort#transfer}. By interrupt it parks on the future; in a polling completion mode
     * this thread polls the port until the future is done ({@link io.jahci.ataport.ChannelPolling#awaitPolled}).
     * PASSIVE.
     */
    void await(CompletableFuture<Void> future) throws PortException {
        long waitMillis = commandMillis + RECOVERY_ALLOWANCE_MILLIS;
        try {
            if (port.channel().polling().mode().polls()) {
                port.channel().polling().awaitPolled(future::isDone, waitMillis, TimeUnit.MILLISECONDS);
            }
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

    /** FLUSH CACHE EXT (or FLUSH CACHE on a 28-bit device); see {@link AhciPort#flush}. PASSIVE. */
    void flush() throws PortException {
        checkReady();
        execute(AtaTaskFile.nonData(port.identity().lba48() ? AtaCommand.FLUSH_CACHE_EXT : AtaCommand.FLUSH_CACHE,
                0, 0, 0, 0), null);
    }

    /**
     * See {@link AhciPort#execute}. After a successful SLEEP the port is marked asleep
     * ({@link PortSleep}). PASSIVE.
     */
    AtaResult execute(AtaTaskFile tf, ByteBuffer data) throws PortException {
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
    int packet(ByteBuffer cdb, ByteBuffer data) throws PortException {
        if (cdb.remaining() < AtapiCdb.LENGTH) {
            throw new IllegalArgumentException("an ATAPI command block has " + AtapiCdb.LENGTH + " bytes, not "
                    + cdb.remaining());
        }
        // FEATURES bit 0: the data moves by DMA; LBA 23:8, the byte count limit, counts for PIO only
        AtaTaskFile tf = data == null || !data.hasRemaining()
                ? AtaTaskFile.nonData(AtaCommand.PACKET, 0, PACKET_BYTE_COUNT_LIMIT << 8, 0, 0)
                : AtaTaskFile.dataIn(AtaCommand.PACKET, 1, PACKET_BYTE_COUNT_LIMIT << 8, 0, 0, data.remaining());
        return run(tf, cdb, data).transferred();
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
        PortTransfer transfer = new PortTransfer(buffer);
        AhciCommand c = acquire();
        if (tf.direction() == AtaTaskFile.Direction.OUT) {
            c.data().put(0, buffer, buffer.position(), bytes);
        }
        c.prepare(tf);
        if (cdb != null) {
            c.packet(cdb);
        }
        c.transfer = transfer;
        transfer.chunkStarted();
        submit(c, true);
        transfer.allSubmitted();
        await(transfer.future());
        return transfer;
    }

    private int readOpcode() {
        if (useNcq) {
            return AtaCommand.READ_FPDMA_QUEUED;
        }
        return port.identity().lba48() ? AtaCommand.READ_DMA_EXT : AtaCommand.READ_DMA;
    }

    private int writeOpcode() {
        if (useNcq) {
            return AtaCommand.WRITE_FPDMA_QUEUED;
        }
        return port.identity().lba48() ? AtaCommand.WRITE_DMA_EXT : AtaCommand.WRITE_DMA;
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
            pool.release(c);
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
     * The completion of one command (the IoRequest's callback). DISPATCH, on a port worker: copies
     * read data out, gives the command back, counts the chunk in its transfer.
     */
    private void commandCompleted(IoRequest request) {
        AhciCommand c = (AhciCommand) request.payload();
        PortTransfer t = c.transfer;
        PortException error = request.status() == IoStatus.SUCCESS ? null : failure(c, request.status());
        // a PACKET command's reply may be shorter than asked for: PRDBC says how much came
        int moved = c.atapi ? Math.min(c.bytes, c.transferred) : c.bytes;
        if (error == null && !c.isWrite && moved > 0) {
            t.buffer().put(t.at(c.transferOffset), c.data(), 0, moved);
        }
        if (error == null && c.callerTaskFile != null) {
            t.result(c.result(), moved);
        }
        c.transfer = null;
        pool.release(c);
        t.chunkDone(error);
    }

    private PortException failure(AhciCommand c, IoStatus status) {
        String range = c.sectors == 0 ? "" : ", LBA " + c.lba + ".." + (c.lba + c.sectors - 1) + " (" + c.sectors + " sectors)";
        String what = port.where() + ": " + AtaCommand.name(c.opcode) + range;
        if (c.lost) {
            return new ControllerLostException(what + " failed: " + port.loss().describe() + "\n" + port.history());
        }
        if (c.shortTransferBytes >= 0) {
            return new PortException(what + " failed: short transfer, the HBA moved " + c.shortTransferBytes + " of " + c.bytes
                    + " bytes (PRDBC, AHCI 1.3.1 §4.2.2) although the device reported success; its data was not used."
                    + " Check the cabling and the HBA.\n" + port.history(), Fault.SHORT_TRANSFER);
        }
        if (status == IoStatus.ABORTED) {
            return new PortException(what + " was aborted: the port was stopped.");
        }
        if (c.timedOut) {
            return new CommandTimeoutException(what + " did not complete within " + commandMillis
                    + " ms; the controller stopped answering. " + c.outcome + "\n" + port.history());
        }
        if (c.errorInterrupts == 0) {
            return port.state() == PortState.NO_DEVICE ? new NoDeviceException(what + " did not complete: " + c.outcome)
                    : new PortException(what + " did not complete: " + c.outcome, c.fault);
        }
        int st = PortTfd.STS.get(c.taskFile);
        int error = PortTfd.ERR.get(c.taskFile);
        if (c.callerTaskFile != null && !c.atapi && error == AtaStatus.ABRT.mask() && PortIs.TFES.isSet(c.errorInterrupts)) {
            AtaTaskFile tf = c.callerTaskFile;
            return new CommandNotSupportedException(String.format("%s: %s (features %04Xh, LBA %012Xh, count %04Xh) is "
                    + "not supported by this device: it answered ABRT (ATA status %s, error %s). Nothing was changed. %s",
                    port.where(), AtaCommand.name(tf.command()), tf.features(), tf.lba(), tf.count(),
                    AtaStatus.describe(st), AtaStatus.describeError(error), c.outcome), st, error, tf.lba());
        }
        String message = what + " failed: " + PortIs.describe(c.errorInterrupts) + ", ATA status "
                + AtaStatus.describe(st) + ", error " + AtaStatus.describeError(error) + ". " + advice(error) + " "
                + c.outcome + "\n" + port.history();
        if (PortIs.TFES.isSet(c.errorInterrupts)) {
            return new AtaCommandException(message, st, error, c.lba, c.sectors);
        }
        return new PortException(message);
    }

    private static String advice(int error) {
        if (AtaStatus.UNC.isSet(error)) {
            return "The medium could not be read there (UNC): those sectors are bad; rewrite them or replace the disk.";
        }
        if (AtaStatus.IDNF.isSet(error)) {
            return "The device did not find that address (IDNF): check the LBA against the disk's capacity.";
        }
        if (AtaStatus.ABRT.isSet(error)) {
            return "The device aborted the command (ABRT): it may not support it, or the medium failed.";
        }
        return "Check the disk's SMART data and cabling.";
    }
}
