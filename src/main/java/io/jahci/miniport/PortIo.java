package io.jahci.miniport;

import io.jahci.ahci.AtaCommand;
import io.jahci.ahci.AtaStatus;
import io.jahci.ahci.IdentifyData;
import io.jahci.ahci.PortIs;
import io.jahci.ahci.PortTfd;
import io.jahci.ataport.IoRequest;
import io.jahci.ataport.IoStatus;
import io.jahci.hw.Transport;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The caller's side of a port: reads and writes split into commands, FUA, flush, IDENTIFY, and
 * the failure a caller sees when a command fails (with what it means and what to do). Callers run
 * at PASSIVE; each command is a preallocated {@link AhciCommand} taken from the port's
 * {@link CommandPool} and submitted through the port layer; its completion
 * ({@link #commandCompleted}) runs at DISPATCH on a port worker, with no lock held.
 */
final class PortIo {
    /** How much longer than the command timeout a caller waits: recovery's own time. */
    private static final long RECOVERY_ALLOWANCE_MILLIS = 15_000;

    private final AhciPort port;
    private final CommandPool pool;
    private final long commandMillis;

    /** Makes the port's command pool (no DMA yet: {@link CommandPool#setDepth} allocates). */
    PortIo(AhciPort port, Transport transport, AhciPortOptions options) {
        this.port = port;
        this.pool = new CommandPool(transport, options, this::commandCompleted);
        this.commandMillis = options.timeouts().commandMillis();
    }

    CommandPool pool() {
        return pool;
    }

    /** See {@link AhciPort#submit(boolean, long, ByteBuffer, boolean)}. PASSIVE. */
    CompletableFuture<Void> submit(boolean isWrite, long lba, ByteBuffer data, boolean fua) throws PortException {
        if (fua && !(isWrite && port.supportsFua())) {
            throw new IllegalArgumentException(port.where()
                    + ": FUA is for writes to a disk that supports it (IDENTIFY word 84 bit 6)");
        }
        boolean ncq = port.usesNcq();
        int opcode = isWrite ? (fua && !ncq ? AtaCommand.WRITE_DMA_FUA_EXT : writeOpcode()) : readOpcode();
        int bytes = data.remaining();
        int sectorSize = port.sectorSize();
        PortTransfer transfer = new PortTransfer(data);
        int chunkBytes = port.maxSectorsPerCommand() * sectorSize;
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
            submit(c);
        }
        transfer.allSubmitted();
        return transfer.future();
    }

    /** Waits for a transfer {@link #submit} started; see {@link AhciPort#transfer}. PASSIVE. */
    void await(CompletableFuture<Void> future) throws PortException {
        long waitMillis = commandMillis + RECOVERY_ALLOWANCE_MILLIS;
        try {
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
        run(port.identity().lba48() ? AtaCommand.FLUSH_CACHE_EXT : AtaCommand.FLUSH_CACHE, null);
    }

    /** IDENTIFY DEVICE (ACS-3 §7.12): the device's 512-byte answer. PASSIVE, channel started. */
    IdentifyData identifyDevice() throws PortException {
        ByteBuffer data = ByteBuffer.allocate(IdentifyData.SIZE);
        run(AtaCommand.IDENTIFY_DEVICE, data);
        return IdentifyData.parse(data, 0);
    }

    private int readOpcode() {
        if (port.usesNcq()) {
            return AtaCommand.READ_FPDMA_QUEUED;
        }
        return port.identity().lba48() ? AtaCommand.READ_DMA_EXT : AtaCommand.READ_DMA;
    }

    private int writeOpcode() {
        if (port.usesNcq()) {
            return AtaCommand.WRITE_FPDMA_QUEUED;
        }
        return port.identity().lba48() ? AtaCommand.WRITE_DMA_EXT : AtaCommand.WRITE_DMA;
    }

    /** One non-data or data-in command, waited for; {@code data} receives what it reads (null: nothing moves). */
    private void run(int opcode, ByteBuffer data) throws PortException {
        ByteBuffer buffer = data == null ? ByteBuffer.allocate(0) : data;
        PortTransfer transfer = new PortTransfer(buffer);
        AhciCommand c = acquire();
        c.prepare(opcode, 0, 0, buffer.remaining(), false);
        c.transfer = transfer;
        transfer.chunkStarted();
        submit(c);
        transfer.allSubmitted();
        await(transfer.future());
    }

    private AhciCommand acquire() throws PortException {
        checkReady();
        try {
            return pool.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortException(port.where() + ": interrupted while waiting for a free command slot");
        }
    }

    private void submit(AhciCommand c) throws PortException {
        try {
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
        if (error == null && !c.isWrite && c.bytes > 0) {
            t.buffer().put(t.at(c.transferOffset), c.data(), 0, c.bytes);
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
