package io.jahci.disk;

import io.jahci.ahci.LbaRangeEntries;
import io.jahci.hw.RefusedException;
import io.jahci.fault.PortException;
import io.jahci.miniport.PortIo;
import io.jahci.miniport.PortTransfer;

import java.nio.ByteBuffer;

/**
 * A reusable asynchronous request on one disk, for a caller that keeps a fixed set of request
 * contexts (the NBD server): made once ({@link Disk#newRequest}), used for one read, write or
 * flush after another, and it calls its {@link Completion} at the end of each. Nothing is
 * allocated per use. Range, writability and FUA are checked as {@link Disk}'s own methods check
 * them, before anything reaches the device.
 *
 * <p>Two ways to move data:
 * <ul>
 *   <li>in place: {@link #reserve} takes one of the port's commands and gives its DMA buffer;
 *       fill it and {@link #write}, or {@link #read} and then read {@link #data()}; no copy. Up to
 *       {@link Disk#maxTransferBytes()} per use. The command counts against the queue depth until
 *       {@link #release()}.</li>
 *   <li>copied: {@link #read(long, ByteBuffer)} and {@link #write(long, ByteBuffer, boolean)} move
 *       any whole number of sectors through the port's commands, like {@link Disk#readAsync}.</li>
 * </ul>
 *
 * <p>One owner at a time: a use is started (PASSIVE) only after the previous use's completion ran.
 *
 * <p>An awaited request ({@link Disk#newAwaitedRequest}) is one whose owner waits for it in
 * {@link Disk#awaitCompletions}: with polled completions only that wait polls for it, as for
 * {@link Disk#startAwaited}.
 */
public final class DiskRequest {
    /** How a request tells its owner a use ended. */
    @FunctionalInterface
    public interface Completion {
        /**
         * The read, write or flush ended; {@code failure} is null on success. DISPATCH, on a port
         * thread, no lock held: record the outcome and hand it on; never block, never start another
         * use here. {@link #release()} is allowed.
         */
        void completed(DiskRequest request, PortException failure);
    }

    private final Disk disk;
    private final PortIo io;
    private final PortTransfer transfer;
    private final boolean awaited;

    DiskRequest(Disk disk, PortIo io, Completion completion, boolean awaited) {
        this.disk = disk;
        this.io = io;
        this.awaited = awaited;
        this.transfer = new PortTransfer((t, failure) -> completion.completed(this, failure));
    }

    /**
     * Takes one of the port's commands for in-place use (waiting while all are in flight) and
     * returns its DMA buffer, position 0, limit {@code bytes}. PASSIVE.
     *
     * @param bytes a whole number of sectors, at most {@link Disk#maxTransferBytes()}
     */
    public ByteBuffer reserve(int bytes) throws PortException {
        return io.reserve(transfer, bytes);
    }

    /** The reserved command's DMA buffer, position 0, limit the bytes reserved. */
    public ByteBuffer data() {
        return transfer.data();
    }

    /** Whether this request holds a reserved command. */
    public boolean holdsCommand() {
        return transfer.holdsCommand();
    }

    /** Reads the reserved bytes from sector {@code lba} into {@link #data()}. PASSIVE. */
    public void read(long lba) throws PortException {
        disk.checkSectors(lba, reservedSectors(), "read");
        io.submitReserved(transfer, false, lba, false, awaited);
    }

    /**
     * Writes {@link #data()}'s reserved bytes to sector {@code lba}; with {@code fua}, forced unit
     * access (only when {@link Disk#supportsFua()}). PASSIVE.
     */
    public void write(long lba, boolean fua) throws PortException {
        disk.checkWritable("write");
        disk.checkSectors(lba, reservedSectors(), "write");
        checkFua(fua);
        io.submitReserved(transfer, true, lba, fua, awaited);
    }

    /** FLUSH CACHE EXT through the reserved command: every write completed before it is durable when it completes. PASSIVE. */
    public void flush() throws PortException {
        disk.checkWritable("flush");
        io.executeReserved(transfer, io.flushTaskFile(), awaited);
    }

    /**
     * DATA SET MANAGEMENT TRIM ({@link Disk#trim}) of as many of the {@code sectors} sectors from
     * {@code lba} as one command covers, through a command reserved here if this request holds none
     * (it keeps it: trim on after the completion, or {@link #release()}); returns how many it
     * covers. Only when {@link Disk#supportsTrim()}. PASSIVE; nothing is allocated.
     *
     * @throws IllegalStateException if the request holds a command too small for the range entries
     */
    public long trim(long lba, long sectors) throws PortException {
        disk.checkTrim(lba, sectors);
        int maxBlocks = disk.trimBlocksPerCommand();
        if (!holdsCommand()) {
            io.reserve(transfer, maxBlocks * LbaRangeEntries.BLOCK_BYTES);
        } else if (transfer.reservedBytes() < maxBlocks * LbaRangeEntries.BLOCK_BYTES) {
            throw new IllegalStateException("this request holds a command of " + transfer.reservedBytes()
                    + " bytes, too small for a trim's range entries: release it first");
        }
        ByteBuffer ranges = transfer.data();
        long covered = disk.encodeTrim(ranges, lba, sectors);
        io.executeReserved(transfer, disk.trimTaskFile(ranges), awaited);
        return covered;
    }

    /** Gives the reserved command back. PASSIVE, or from the completion. */
    public void release() {
        io.release(transfer);
    }

    /**
     * Reads {@code buffer.remaining()} bytes from sector {@code lba}, copied; see {@link Disk#readAsync}
     * (the buffer's position is at its limit when the completion runs after a success). PASSIVE.
     */
    public void read(long lba, ByteBuffer buffer) throws PortException {
        disk.checkRange(lba, buffer, "read");
        io.submit(transfer, false, lba, buffer, false, awaited);
    }

    /**
     * Writes {@code buffer.remaining()} bytes to sector {@code lba}, copied; {@code fua} as in
     * {@link #write(long, boolean)}; the position moves as in {@link #read(long, ByteBuffer)}. PASSIVE.
     */
    public void write(long lba, ByteBuffer buffer, boolean fua) throws PortException {
        disk.checkWritable("write");
        disk.checkRange(lba, buffer, "write");
        checkFua(fua);
        io.submit(transfer, true, lba, buffer, fua, awaited);
    }

    private int reservedSectors() {
        if (!transfer.holdsCommand()) {
            throw new IllegalStateException("this request holds no command: reserve(bytes) first");
        }
        return transfer.reservedBytes() / disk.sectorSize();
    }

    private void checkFua(boolean fua) {
        if (fua && !disk.supportsFua()) {
            throw new RefusedException(disk.where() + " has no FUA write (IDENTIFY word 84 bit 6, 48-bit LBA); write, then flush");
        }
    }
}
