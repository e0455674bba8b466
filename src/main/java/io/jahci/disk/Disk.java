package io.jahci.disk;

import io.jahci.ahci.AtaCommand;
import io.jahci.ahci.IdentifyData;
import io.jahci.ahci.PowerMode;
import io.jahci.ahci.AtaTaskFile;
import io.jahci.ahci.LbaRangeEntries;
import io.jahci.ahci.RegisterH2DFis;
import io.jahci.ahci.SelfTestLog;
import io.jahci.ahci.SmartErrorLog;
import io.jahci.fault.PortException;
import io.jahci.hw.RefusedException;
import io.jahci.miniport.AhciPort;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One ATA disk on one port. Addresses are logical sectors ({@link #sectorSize()} bytes). Bad
 * arguments are rejected before anything reaches the device.
 *
 * <p>Buffers as in {@link java.nio.channels.FileChannel#read(ByteBuffer, long)}: every method
 * that takes a buffer moves all of its remaining bytes (a whole number of sectors) and, on
 * success, leaves its position at its limit, so the usual nio loop ({@code read}, {@code flip},
 * consume, {@code clear}) works; the asynchronous ones move it before their future completes, as
 * {@link java.nio.channels.AsynchronousFileChannel} does. On a failure the position stays where
 * it was (what a failed read left in the buffer is undefined). The disk address is an argument,
 * never a cursor: nothing else moves.
 *
 * <p>Thread safe: any number of threads may call any method at once. Reads and writes are queued
 * commands: the port keeps up to {@link #queueDepth()} of them in flight (NCQ), the rest wait for
 * a free command. Every other command ({@link #flush}, {@link #trim}, SMART, power, SET FEATURES,
 * IDENTIFY) is non-queued: it waits for the commands before it and runs alone on the port (AHCI
 * 1.3.1 §5.6.4). Methods run at PASSIVE on the caller's thread; none expects a lock held.
 */
public final class Disk {
    private final String device;
    private final AhciPort port;
    private final DiskIdentity identity;
    private final boolean writable;
    private final DeviceCommands commands;
    /** The range entries of {@link #trim}, reused (trims run one at a time). */
    private final ByteBuffer trimRanges = ByteBuffer.allocate(TRIM_BLOCKS_PER_COMMAND * LbaRangeEntries.BLOCK_BYTES);
    /** DATA SET MANAGEMENT's FEATURE bit 0: TRIM (ACS-3 §7.5.2). */
    private static final int DSM_TRIM = 1;
    /** At most 8 blocks (512 ranges of up to 65,535 sectors, 16 GiB of 512-byte sectors) per command. */
    private static final int TRIM_BLOCKS_PER_COMMAND = 8;
    private static final AtaTaskFile[] TRIM_TASK_FILES = new AtaTaskFile[TRIM_BLOCKS_PER_COMMAND];

    static {
        for (int blocks = 1; blocks <= TRIM_BLOCKS_PER_COMMAND; blocks++) {
            TRIM_TASK_FILES[blocks - 1] = AtaTaskFile.dataOut(AtaCommand.DATA_SET_MANAGEMENT, DSM_TRIM, 0, blocks,
                    RegisterH2DFis.DEVICE_LBA, blocks * LbaRangeEntries.BLOCK_BYTES);
        }
    }

    Disk(String device, AhciPort port, boolean writable) {
        this.device = device;
        this.port = port;
        this.commands = new DeviceCommands(port);
        this.identity = DiskIdentity.of(port.number(), port.identity());
        this.writable = writable;
    }

    public int port() {
        return port.number();
    }

    public DiskIdentity identity() {
        return identity;
    }

    public int sectorSize() {
        return identity.logicalSectorSize();
    }

    public long sectors() {
        return identity.sectors();
    }

    /** The largest number of sectors one command moves; larger requests are split. */
    public int maxSectorsPerCommand() {
        return port.maxSectorsPerCommand();
    }

    /** The most bytes one command moves, and so one in-place {@link DiskRequest} use. */
    public int maxTransferBytes() {
        return port.io().maxTransferBytes();
    }

    /**
     * A reusable asynchronous request on this disk that calls {@code completion} at the end of
     * each use: in place through a reserved command's DMA buffer, or copied; nothing allocated per
     * use. See {@link DiskRequest}.
     */
    public DiskRequest newRequest(DiskRequest.Completion completion) {
        return new DiskRequest(this, port.io(), completion, false);
    }

    /**
     * Like {@link #newRequest}, for an owner that waits for its uses in {@link #awaitCompletions}:
     * with polled completions only that wait polls for them (no port thread is woken for them), as
     * for {@link #startAwaited}; with interrupt completions it is {@link #newRequest}.
     */
    public DiskRequest newAwaitedRequest(DiskRequest.Completion completion) {
        return new DiskRequest(this, port.io(), completion, true);
    }

    /**
     * Reads {@code buffer.remaining()} bytes starting at sector {@code lba} into the buffer; its
     * position is then at its limit (see the class comment).
     */
    public void read(long lba, ByteBuffer buffer) throws PortException {
        checkRange(lba, buffer, "read");
        port.io().transfer(false, lba, buffer);
    }

    /**
     * Writes {@code buffer.remaining()} bytes to the disk starting at sector {@code lba}; the
     * buffer's position is then at its limit (see the class comment).
     */
    public void write(long lba, ByteBuffer buffer) throws PortException {
        checkWritable("write");
        checkRange(lba, buffer, "write");
        port.io().transfer(true, lba, buffer);
    }

    /**
     * Starts a read and returns at once, unless all of the port's {@link #queueDepth()} commands
     * are in flight (then it waits for one). The future completes when the data is in the
     * buffer (its position at its limit), or exceptionally with a {@link PortException}. Don't
     * touch the buffer until then. Callable from any number of threads.
     */
    public CompletableFuture<Void> readAsync(long lba, ByteBuffer buffer) throws PortException {
        checkRange(lba, buffer, "read");
        return port.io().submit(false, lba, buffer);
    }

    /**
     * Like {@link #readAsync} (and with {@code write}, {@link #writeAsync}), for a caller that waits
     * for its requests in {@link #awaitCompletions}: with polled completions only that wait polls
     * for this one (no port thread is woken for it), so it completes only while some thread waits
     * there. With interrupt completions it is {@link #readAsync}. PASSIVE.
     */
    public CompletableFuture<Void> startAwaited(boolean write, long lba, ByteBuffer buffer) throws PortException {
        if (write) {
            checkWritable("write");
        }
        checkRange(lba, buffer, write ? "write" : "read");
        return port.io().submit(write, lba, buffer, false, true);
    }

    /**
     * Waits until {@code done} is true, at most {@code timeout}, for requests this thread started
     * ({@link #startAwaited}, {@link #readAsync}, {@link #writeAsync}, a {@link DiskRequest}): with interrupt completions
     * this thread services the controller's interrupt itself meanwhile, if no other thread waits on
     * it, so the completion that makes {@code done} true runs here without a thread hand-off; with
     * polled completions it polls. {@code done} must become true in a completion (a future
     * completing, a {@link DiskRequest.Completion}). PASSIVE; allocates nothing.
     *
     * @return whether {@code done} is true; false when another thread services the interrupt now
     *     (wait for what your completion signals, e.g. the future) or the timeout passed
     */
    public boolean awaitCompletions(BooleanSupplier done, long timeout, TimeUnit unit) {
        return port.awaitCompletions(done, timeout, unit);
    }

    /** Starts a write; see {@link #readAsync}. A write is durable once {@link #flush()} returned after it. */
    public CompletableFuture<Void> writeAsync(long lba, ByteBuffer buffer) throws PortException {
        checkWritable("write");
        checkRange(lba, buffer, "write");
        return port.io().submit(true, lba, buffer);
    }

    /**
     * Starts a write with forced unit access: the future completes once the data is on the
     * medium, not only in the disk's write cache. Only when {@link #supportsFua()}; otherwise use
     * {@link #writeThrough}. See {@link #readAsync} for the buffer and the waiting.
     */
    public CompletableFuture<Void> writeFuaAsync(long lba, ByteBuffer buffer) throws PortException {
        checkWritable("write");
        checkRange(lba, buffer, "write");
        if (!port.supportsFua()) {
            throw new RefusedException(where() + " has no FUA write (IDENTIFY word 84 bit 6, 48-bit LBA); use "
                    + "writeThrough, which writes and then flushes");
        }
        return port.io().submit(true, lba, buffer, true, false);
    }

    /** Whether the disk has a forced-unit-access write ({@link #writeFuaAsync}). */
    public boolean supportsFua() {
        return port.supportsFua();
    }

    /**
     * Writes and returns once the data is on the medium, not only in the disk's write cache: with
     * forced unit access when the disk supports it ({@link DiskIdentity#fua()}), else a write
     * followed by FLUSH CACHE EXT. Other writes in the cache are not made durable by it.
     */
    public void writeThrough(long lba, ByteBuffer buffer) throws PortException {
        checkWritable("write");
        checkRange(lba, buffer, "write");
        if (port.supportsFua()) {
            port.io().writeFua(lba, buffer);
        } else {
            port.io().transfer(true, lba, buffer);
            port.io().flush();
        }
    }

    /** The IDENTIFY DEVICE data read when the disk was brought up. */
    public IdentifyData identifyData() {
        return port.identity();
    }

    /** Reads IDENTIFY DEVICE again, e.g. to see a setting SET FEATURES changed. PASSIVE. */
    public IdentifyData identifyNow() throws PortException {
        return commands.identify();
    }

    /**
     * SMART RETURN STATUS, READ DATA, READ THRESHOLDS and, when the device keeps one, the self-test
     * log; with {@code enable}, SMART ENABLE OPERATIONS first. PASSIVE.
     */
    public SmartReport smart(boolean enable) throws PortException {
        return commands.smart(enable);
    }

    /**
     * SMART EXECUTE OFF-LINE IMMEDIATE (ACS-3 §7.49.5): starts a short or extended self-test in
     * off-line mode, or aborts the running one. It returns once the disk accepted the request; the
     * test runs on: poll {@link #smart}'s {@code data().selfTestStatusText()}, read the outcome in
     * {@link #selfTestLog()}. A device without self-tests aborts it: {@link
     * io.jahci.fault.CommandNotSupportedException}. PASSIVE.
     */
    public void startSelfTest(SelfTest test) throws PortException {
        commands.selfTest(test);
    }

    /** The SMART self-test log (SMART READ LOG 06h), most recent first; null when the device keeps none. PASSIVE. */
    public List<SelfTestLog.Entry> selfTestLog() throws PortException {
        return commands.selfTestLog();
    }

    /** The Summary SMART Error log (SMART READ LOG 01h); null when the device keeps none. PASSIVE. */
    public SmartErrorLog errorLog() throws PortException {
        return commands.errorLog();
    }

    /** CHECK POWER MODE. PASSIVE. */
    public PowerMode checkPowerMode() throws PortException {
        return commands.checkPowerMode();
    }

    /**
     * The power mode, found without waking the disk: empty while it is in SLEEP since {@link #sleep()}
     * (any command, CHECK POWER MODE included, would bring it back with a COMRESET, so none is sent),
     * else CHECK POWER MODE's answer, which a disk in Standby gives without spinning up (ACS-3 §7.3).
     * For {@code smart --nocheck}. PASSIVE.
     */
    public Optional<PowerMode> powerModeWithoutWaking() throws PortException {
        return port.asleep() ? Optional.empty() : Optional.of(commands.checkPowerMode());
    }

    /** IDLE IMMEDIATE. PASSIVE. */
    public void idleImmediate() throws PortException {
        commands.nonData(AtaCommand.IDLE_IMMEDIATE, 0);
    }

    /** STANDBY IMMEDIATE: the disk spins down. PASSIVE. */
    public void standbyImmediate() throws PortException {
        commands.nonData(AtaCommand.STANDBY_IMMEDIATE, 0);
    }

    /** SLEEP: the disk then answers only to a reset; the next command on the port resets it first. PASSIVE. */
    public void sleep() throws PortException {
        commands.sleep();
    }

    /** SET FEATURES 02h (on) / 82h (off): the volatile write cache. PASSIVE. */
    public void setWriteCache(boolean on) throws PortException {
        commands.nonData(AtaCommand.SET_FEATURES, on ? AtaCommand.SF_ENABLE_WRITE_CACHE : AtaCommand.SF_DISABLE_WRITE_CACHE);
    }

    /** SET FEATURES AAh (on) / 55h (off): read look-ahead. PASSIVE. */
    public void setReadLookAhead(boolean on) throws PortException {
        commands.nonData(AtaCommand.SET_FEATURES,
                on ? AtaCommand.SF_ENABLE_READ_LOOK_AHEAD : AtaCommand.SF_DISABLE_READ_LOOK_AHEAD);
    }

    /**
     * Tells the disk that {@code sectors} sectors from {@code lba} hold nothing worth keeping:
     * DATA SET MANAGEMENT with TRIM (ACS-3 §7.5), LBA range entries packed in 512-byte blocks, as
     * many blocks per command as IDENTIFY word 105 allows. What the sectors read afterwards is
     * up to the disk unless {@link #trimReadsZeroes()}. Only when {@link #supportsTrim()}. PASSIVE;
     * non-queued (it waits for the queued commands before it).
     */
    public void trim(long lba, long sectors) throws PortException {
        checkTrim(lba, sectors);
        synchronized (trimRanges) {
            for (long done = 0; done < sectors; ) {
                done += encodeTrim(trimRanges.clear(), lba + done, sectors - done);
                port.io().execute(trimTaskFile(trimRanges), trimRanges);
            }
        }
    }

    void checkTrim(long lba, long sectors) {
        checkWritable("trim");
        checkSectors(lba, sectors, "trim");
        if (!supportsTrim()) {
            throw new RefusedException(where() + " does not support DATA SET MANAGEMENT TRIM (IDENTIFY word 169 "
                    + "bit 0)");
        }
    }

    /** The 512-byte blocks of range entries one DATA SET MANAGEMENT carries here (IDENTIFY word 105, at most 8). */
    int trimBlocksPerCommand() {
        return Math.min(port.identity().trimMaxBlocks(), TRIM_BLOCKS_PER_COMMAND);
    }

    /**
     * Writes the range entries of one DATA SET MANAGEMENT TRIM, as many 512-byte blocks as cover the
     * most of {@code sectors} sectors from {@code lba} (at most {@link #trimBlocksPerCommand()}), at
     * index 0 of {@code ranges}, whose limit it sets to them; returns how many sectors they cover.
     */
    long encodeTrim(ByteBuffer ranges, long lba, long sectors) {
        int blocks = LbaRangeEntries.blocksFor(sectors, trimBlocksPerCommand());
        ranges.limit(blocks * LbaRangeEntries.BLOCK_BYTES);
        return LbaRangeEntries.encode(ranges, blocks, lba, sectors);
    }

    /** DATA SET MANAGEMENT with TRIM carrying the range entries {@link #encodeTrim} wrote (made once per block count). */
    AtaTaskFile trimTaskFile(ByteBuffer ranges) {
        return TRIM_TASK_FILES[ranges.limit() / LbaRangeEntries.BLOCK_BYTES - 1];
    }

    /** DATA SET MANAGEMENT with TRIM is supported (IDENTIFY word 169 bit 0). */
    public boolean supportsTrim() {
        return port.identity().trim();
    }

    /** Trimmed sectors read back as zeroes (IDENTIFY word 69: DRAT and RZAT). */
    public boolean trimReadsZeroes() {
        return supportsTrim() && port.identity().trimReadsZeroes();
    }

    /**
     * Whether completions are polled (a polling {@link io.jahci.ataport.CompletionMode}) rather than taken
     * from the controller's interrupt. Any level.
     */
    public boolean completionsPolled() {
        return port.completionsPolled();
    }

    /** Commands this disk keeps in flight at most (NCQ depth, or 1). */
    public int queueDepth() {
        return port.queueDepth();
    }

    /** How many of the port's {@link #queueDepth()} commands are taken now: in flight, or reserved by a {@link DiskRequest}. */
    public int commandsTaken() {
        return port.io().commandsTaken();
    }

    /** Whether reads and writes are queued (READ/WRITE FPDMA QUEUED). */
    public boolean usesNcq() {
        return port.usesNcq();
    }

    /** Makes every completed write durable (FLUSH CACHE EXT). */
    public void flush() throws PortException {
        checkWritable("flush");
        port.io().flush();
    }

    void checkWritable(String what) {
        if (!writable) {
            throw new RefusedException("refusing to " + what + " " + where()
                    + ": the controller was opened read-only; open it with writes allowed (CLI: --allow-write)");
        }
    }

    void checkSectors(long lba, long count, String what) {
        if (count <= 0 || lba < 0 || lba > sectors() - count) {
            throw new IllegalArgumentException("cannot " + what + " " + where() + " LBA " + lba + ".."
                    + (lba + count - 1) + " (" + count + " sectors): the disk has " + sectors()
                    + " sectors (LBA 0.." + (sectors() - 1) + ")");
        }
    }

    void checkRange(long lba, ByteBuffer buffer, String what) {
        int bytes = buffer.remaining();
        if (bytes == 0 || bytes % sectorSize() != 0) {
            throw new IllegalArgumentException("cannot " + what + " " + where() + ": the buffer holds " + bytes
                    + " bytes, which is not a whole, non-zero number of " + sectorSize() + "-byte sectors");
        }
        checkSectors(lba, bytes / sectorSize(), what);
    }

    String where() {
        return device + " port " + port.number();
    }

    @Override
    public String toString() {
        return "port " + port() + ": " + identity.model() + " (" + sectors() + " x " + sectorSize() + " bytes)";
    }
}
