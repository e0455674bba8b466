package io.jahci.miniport;

import io.jahci.ahci.AtaCommand;
import io.jahci.ahci.AtaStatus;
import io.jahci.ahci.CommandHeader;
import io.jahci.ahci.DeviceSignature;
import io.jahci.ahci.IdentifyData;
import io.jahci.ahci.NcqErrorLog;
import io.jahci.ahci.PortCmd;
import io.jahci.ahci.PortIs;
import io.jahci.ahci.PortRegister;
import io.jahci.ahci.PortSctl;
import io.jahci.ahci.PortSsts;
import io.jahci.ahci.PortTfd;
import io.jahci.ahci.ReceivedFis;
import io.jahci.ataport.Channel;
import io.jahci.ataport.ChannelRoutine;
import io.jahci.ataport.IoRequest;
import io.jahci.ataport.IoStatus;
import io.jahci.ataport.PortDriver;
import io.jahci.ataport.WorkItemCallback;
import io.jahci.ataport.Worker;
import io.jahci.hw.DmaMemory;
import io.jahci.hw.RegisterWindow;
import io.jahci.hw.Transport;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One AHCI port as an ATA channel: the channel extension the port layer passes to every
 * {@link AhciMiniport} callback. It owns the port's DMA structures, its link and device, its
 * command slots (up to 32 with NCQ), and its error recovery.
 *
 * <pre>
 *              StartChannel (PASSIVE): stop engines, program PxCLB/PxFB, FRE, spin up,
 *   STOPPED ─► wait PxSSTS.DET=3 (COMRESET once if not, §10.4.2), wait BSY/DRQ clear, read PxSIG
 *      ▲          │ no link            │ not ATA                     │ ATA disk
 *      │          ▼                    ▼                             ▼
 *      │      NO_DEVICE ◄──┐  UNSUPPORTED_DEVICE        Initialize (DIRQL/DISPATCH): clear PxIS,
 *      │          │        │                            PxSERR, set PxIE, set PxCMD.ST (§10.3.1)
 *      │          │ link   │ link lost                               │
 *      │ Stop-    │ change │ (PRCS)                                  ▼
 *      │ Channel  └────────┼───── recovery brings it up ───────►  READY ◄─────────────────────┐
 *      │                   │      and IDENTIFYs it       StartIo: │  ▲ ISR: PxCI/PxSACT bits  │
 *      │                   │                        slots, PxSACT,│  │ clear → completeRequest │
 *      │                   │                                 PxCI ▼  │                         │
 *      │                   │                                 (commands in slots 0..depth-1)    │
 *      │                   │     ISR: PxIS error bit (§6.1), link change; timer: a command     │
 *      │                   │     past its deadline → worker routine → work item (PASSIVE):     │
 *      │                   │                                      ▼                            │
 *      │                   └────────────────────────────── RECOVERING: empty the slots; stop   │
 *      │     clear ST, wait CR; clear PxSERR, PxIS; COMRESET if BSY/DRQ stay set, the link     │
 *      │     changed or Reset asked; set ST (§6.2.2). After an NCQ error, first restart without│
 *      │     COMRESET and READ LOG EXT 10h; no log → COMRESET. Then each command that was in a │
 *      │     slot: timed out → fails; the only, non-queued one → fails with its status; the tag│
 *      │     the log names → fails with the log's status; otherwise retried alone as           │
 *      │     non-queued DMA: succeeds → completes, fails → fails with its own status ─────────┘
 *      │                          │ device busy after COMRESET
 *      └──────────────────────  FAILED
 * </pre>
 *
 * <p>Locks and levels: bring-up and recovery run at PASSIVE (they poll and sleep). The ISR,
 * StartIo's slot assignment ({@link #issueRoutine}), the timer's deadline check and recovery's
 * slot hand-over run at DIRQL, under the interrupt lock, which guards the slot fields
 * ({@link #issued}, {@link #slots}, ...). Callers submit at PASSIVE; each command is a
 * preallocated {@link AhciCommand} taken from the {@link CommandPool}.
 */
public final class AhciPort {
    /** Interrupts this port enables (PxIE, §3.3.6): completions, errors and link changes. */
    private static final int INTERRUPT_ENABLE = PortIs.DHRS.mask() | PortIs.PSS.mask() | PortIs.DSS.mask()
            | PortIs.SDBS.mask() | PortIs.UFS.mask() | PortIs.DPS.mask() | PortIs.PCS.mask() | PortIs.PRCS.mask()
            | PortIs.ERROR_MASK;
    private static final int LINK_CHANGE = PortIs.PCS.mask() | PortIs.PRCS.mask();
    /** Layout of the port's structure block: command list, then received FIS. */
    private static final int LIST_OFFSET = 0;
    private static final int FIS_OFFSET = CommandHeader.LIST_SIZE;
    /** How much longer than the command timeout a caller waits: recovery's own time. */
    private static final long RECOVERY_ALLOWANCE_MILLIS = 15_000;

    private final String device;
    private final int number;
    private final RegisterWindow regs;
    private final HbaCapabilities caps;
    private final AhciPortOptions options;
    private final RegisterHistory history = new RegisterHistory();
    private final DmaMemory structures;
    private final CommandPool pool;
    /** Reads the NCQ error log during recovery, in slot 0 while every slot is empty. */
    private final AhciCommand logCommand;
    private final long commandNanos;
    private final long timerPeriodMicros;

    private Channel<AhciPort> channel;
    private PortDriver<AhciHba> portDriver;
    private Worker recoveryWorker;
    private Consumer<AhciPort> arrivalListener = port -> { };

    private volatile PortState state = PortState.STOPPED;
    private volatile DeviceSignature signature = DeviceSignature.UNKNOWN;
    private volatile IdentifyData identity;
    private volatile int sectorSize = 512;
    private volatile int maxSectorsPerCommand;
    private volatile boolean useNcq;
    private volatile long commandsIssued;
    private volatile long prdEntriesIssued;
    private volatile long commandsRetried;

    // Guarded by the interrupt lock (DIRQL).
    private final AhciCommand[] slots = new AhciCommand[32];
    private final long[] issuedAt = new long[32];
    private int issued;
    private int queuedIssued;
    private AhciCommand starting;
    private boolean startAccepted;
    private boolean recoveryQueued;
    private int pendingErrors;
    private int pendingTimeouts;
    private boolean pendingLinkChange;
    private boolean pendingComreset;
    private AhciCommand isolationStarting;
    private AhciCommand isolating;
    private int isolationInterrupts;
    private volatile boolean isolationDone;
    private volatile Thread isolationWaiter;

    // Recovery's hand-over, written at DIRQL in takeSlots, used by the work item.
    private final AhciCommand[] suspects = new AhciCommand[32];
    private int suspectCount;
    private int suspectErrors;
    private int suspectTimeouts;
    private boolean suspectLinkChange;
    private boolean suspectComreset;

    /** StartIo's slot assignment, run at DIRQL (inline when StartIo already holds the lock). */
    private final ChannelRoutine<AhciPort> issueRoutine = AhciPort::issueStarting;
    /** The command timer (AtaPortRequestTimer), run at DISPATCH: checks deadlines at DIRQL. */
    private final ChannelRoutine<AhciPort> timerRoutine = port -> port.channel.requestSynchronizedRoutine(AhciPort::checkDeadlines);
    /** Requested from the ISR or the timer, run at DISPATCH: queues the recovery work item. */
    private final ChannelRoutine<AhciPort> recoveryRequest = AhciPort::queueRecovery;
    /** The recovery work item (HW_WORKITEM), run at PASSIVE. */
    private final WorkItemCallback<AhciHba> recoveryCallback = (hba, context, worker) -> ((AhciPort) context).recover();

    AhciPort(String device, int number, Transport transport, HbaCapabilities caps, AhciPortOptions options)
            throws IOException {
        this.device = device;
        this.number = number;
        this.regs = transport.abar();
        this.caps = caps;
        this.options = options;
        this.commandNanos = options.timeouts().commandMillis() * 1_000_000L;
        this.timerPeriodMicros = Math.max(1_000, Math.min(1_000_000, options.timeouts().commandMillis() * 250));
        this.structures = transport.allocateDma(FIS_OFFSET + ReceivedFis.SIZE, CommandHeader.LIST_ALIGNMENT);
        this.pool = new CommandPool(transport, options, this::commandCompleted);
        try {
            pool.setDepth(1);
            this.logCommand = new AhciCommand(0, transport, options.withBufferBytesPerCommand(4096), request -> { });
        } catch (IOException | RuntimeException e) {
            pool.releaseMemory();
            structures.close();
            throw e;
        }
        this.maxSectorsPerCommand = AhciCommand.maxSectors(options, 512);
        checkReachable();
    }

    /** Without CAP.S64A every bus address must sit below 4 GiB (§3.3.2, §3.3.4). */
    private void checkReachable() throws PortException {
        if (!caps.supports64BitAddresses()
                && Math.max(Math.max(structures.busAddress(structures.size() - 1), pool.highestBusAddress()),
                        logCommand.highestBusAddress()) >>> 32 != 0) {
            release();
            throw new PortException(where() + ": the transport gave DMA memory above 4 GiB to a 32-bit HBA");
        }
    }

    /** Called from channel init (PASSIVE) once the port layer made the channel. */
    void bind(Channel<AhciPort> ch, PortDriver<AhciHba> driver) {
        this.channel = ch;
        this.portDriver = driver;
    }

    /** Called (on a work-item thread) when a disk appeared on this port and was identified. */
    public void onArrival(Consumer<AhciPort> listener) {
        this.arrivalListener = listener;
    }

    public int number() {
        return number;
    }

    public PortState state() {
        return state;
    }

    public DeviceSignature signature() {
        return signature;
    }

    /** The device's IDENTIFY DEVICE data, or null when the port has no ATA disk. */
    public IdentifyData identity() {
        return identity;
    }

    public int sectorSize() {
        return sectorSize;
    }

    /** Commands this port keeps in flight at most: 1 without NCQ. */
    public int queueDepth() {
        return pool.depth();
    }

    /** Whether the disk takes forced-unit-access writes (and is addressed with 48-bit LBAs). */
    public boolean supportsFua() {
        IdentifyData id = identity;
        return id != null && id.lba48() && id.fua();
    }

    /** Whether reads and writes go out as READ/WRITE FPDMA QUEUED. */
    public boolean usesNcq() {
        return useNcq;
    }

    /** The register history, for diagnostics. */
    public String history() {
        return history.dump();
    }

    /** Commands issued since start. */
    public long commandsIssued() {
        return commandsIssued;
    }

    /** PRD entries those commands carried. */
    public long prdEntriesIssued() {
        return prdEntriesIssued;
    }

    /** Commands recovery retried alone after an error, a link change or a reset. */
    public long commandsRetried() {
        return commandsRetried;
    }

    /** The largest number of sectors one command moves; larger transfers are split. */
    public int maxSectorsPerCommand() {
        return maxSectorsPerCommand;
    }

    Channel<AhciPort> channel() {
        return channel;
    }

    // ---------------------------------------------------------------- register access

    private int read(PortRegister reg) {
        return regs.read32(reg.offset(number));
    }

    private void write(PortRegister reg, int value) {
        regs.write32(reg.offset(number), value);
    }

    private void snapshot(RegisterHistory.Event event) {
        history.record(event, read(PortRegister.IS), read(PortRegister.CMD), read(PortRegister.TFD),
                read(PortRegister.SSTS), read(PortRegister.SERR), read(PortRegister.CI), read(PortRegister.SACT));
    }

    private String where() {
        return device + " port " + number;
    }

    // ---------------------------------------------------------------- bring-up (StartChannel, Initialize)

    /**
     * Control(StartChannel). Runs at PASSIVE: stops the engines, programs the DMA structures
     * (§10.1.2 steps 3, 5, 6), brings the link up and waits for the device (§10.4.2), reads its
     * signature. Leaves the command engine stopped; {@link #initialize()} starts it.
     *
     * @return false if the port's engines or device would not answer (state FAILED)
     */
    boolean startChannel() {
        try {
            stopEngines();
        } catch (PortException e) {
            return false;
        }
        long list = structures.busAddress(LIST_OFFSET);
        long fis = structures.busAddress(FIS_OFFSET);
        write(PortRegister.CLB, (int) list);
        write(PortRegister.CLBU, (int) (list >>> 32));
        write(PortRegister.FB, (int) fis);
        write(PortRegister.FBU, (int) (fis >>> 32));
        write(PortRegister.CMD, read(PortRegister.CMD) | PortCmd.FRE.mask());
        write(PortRegister.SERR, 0xffff_ffff);
        write(PortRegister.IS, 0xffff_ffff);
        int cmd = read(PortRegister.CMD);
        if (caps.supportsStaggeredSpinUp() || PortCmd.CPD.isSet(cmd)) {
            write(PortRegister.CMD, cmd | PortCmd.SUD.mask() | PortCmd.POD.mask());
        }
        if (!waitForLink() && !(comreset() && waitForLink())) {
            state = PortState.NO_DEVICE;
            snapshot(RegisterHistory.Event.START);
            return true;
        }
        if (!waitForDeviceReady() && !(comreset() && waitForLink() && waitForDeviceReady())) {
            snapshot(RegisterHistory.Event.ERROR);
            state = PortState.FAILED;
            return false;
        }
        readSignature();
        return true;
    }

    private void readSignature() {
        signature = DeviceSignature.of(read(PortRegister.SIG));
        state = signature == DeviceSignature.ATA ? PortState.READY : PortState.UNSUPPORTED_DEVICE;
    }

    /** Why {@link #startChannel()} failed, for the controller's warnings. */
    String startFailure() {
        return where() + ": the device stays busy (PxTFD " + PortTfd.describe(read(PortRegister.TFD))
                + ") after COMRESET, or the engines do not stop; check the cable and power, or try another port.\n"
                + history.dump();
    }

    /**
     * IdeHwInitialize. Runs at DIRQL (SyncWithIsr) or DISPATCH: clears stale status, enables the
     * port's interrupts and, with a device present, starts the command engine (§10.3.1). Only
     * register writes: it neither blocks nor sleeps.
     */
    boolean initialize() {
        write(PortRegister.SERR, 0xffff_ffff);
        write(PortRegister.IS, 0xffff_ffff);
        write(PortRegister.IE, INTERRUPT_ENABLE);
        if (state == PortState.READY || state == PortState.UNSUPPORTED_DEVICE) {
            startEngine();
        }
        snapshot(RegisterHistory.Event.START);
        return true;
    }

    /**
     * Reads IDENTIFY DEVICE (ACS-3 §7.12), takes the sector size from it and sizes the queue:
     * NCQ when HBA, disk and options allow it, with depth min(CAP.NCS, the disk's depth, the
     * option). PASSIVE, with the channel started and no command in flight.
     */
    void identify() throws PortException {
        ByteBuffer data = ByteBuffer.allocate(IdentifyData.SIZE);
        run(AtaCommand.IDENTIFY_DEVICE, 0, 0, data, false);
        IdentifyData id = IdentifyData.parse(data, 0);
        sectorSize = id.logicalSectorSize();
        maxSectorsPerCommand = AhciCommand.maxSectors(options, sectorSize);
        useNcq = options.ncq() && caps.supportsNcq() && id.ncq();
        int depth = useNcq ? Math.min(Math.min(caps.commandSlots(), id.ncqDepth()), options.maxQueueDepth()) : 1;
        try {
            pool.setDepth(depth);
        } catch (IOException e) {
            throw new PortException(where() + ": cannot allocate DMA memory for " + depth + " commands: "
                    + e.getMessage(), e);
        }
        checkReachable();
        identity = id;
    }

    /**
     * Waits for PxSSTS.DET=3. Gives up early when DET stays 0 (nothing attached) for
     * {@link Timeouts#presenceMillis()}, so empty ports cost little.
     */
    private boolean waitForLink() {
        long start = System.nanoTime();
        long presenceNanos = options.timeouts().presenceMillis() * 1_000_000L;
        Poll.until(options.timeouts().linkUpMillis(), () -> {
            int det = PortSsts.DET.get(read(PortRegister.SSTS));
            return det == PortSsts.DET_PRESENT_PHY
                    || det == PortSsts.DET_NONE && System.nanoTime() - start > presenceNanos;
        });
        return linkUp();
    }

    private boolean linkUp() {
        return PortSsts.DET.get(read(PortRegister.SSTS)) == PortSsts.DET_PRESENT_PHY;
    }

    private boolean waitForDeviceReady() {
        int busy = PortTfd.STS_BSY.mask() | PortTfd.STS_DRQ.mask();
        return Poll.until(options.timeouts().deviceReadyMillis(), () -> (read(PortRegister.TFD) & busy) == 0);
    }

    /**
     * COMRESET (§10.4.2): with ST clear, hold PxSCTL.DET=1 for at least 1 ms, release it, wait for
     * the link. Returns whether the link came back. PASSIVE.
     */
    private boolean comreset() {
        try {
            stopCommandEngine();
        } catch (PortException e) {
            return false;
        }
        int sctl = read(PortRegister.SCTL);
        write(PortRegister.SCTL, PortSctl.DET.with(sctl, PortSctl.DET_COMRESET));
        Poll.sleepMillis(options.timeouts().comresetHoldMillis());
        write(PortRegister.SCTL, PortSctl.DET.with(sctl, PortSctl.DET_NO_ACTION));
        boolean up = waitForLink();
        write(PortRegister.SERR, 0xffff_ffff);
        snapshot(RegisterHistory.Event.COMRESET);
        return up;
    }

    /** Sets PxCMD.ST once the device is idle (§10.3.1: FRE set, BSY and DRQ clear, DET=3). */
    private void startEngine() {
        write(PortRegister.CMD, read(PortRegister.CMD) | PortCmd.FRE.mask() | PortCmd.ST.mask());
    }

    /** Clears ST and waits for CR (§10.3.2); this also clears PxCI and PxSACT. PASSIVE. */
    private void stopCommandEngine() throws PortException {
        int cmd = read(PortRegister.CMD);
        if (PortCmd.ST.isSet(cmd)) {
            write(PortRegister.CMD, cmd & ~PortCmd.ST.mask());
        }
        if (!Poll.until(options.timeouts().portStopMillis(), () -> !PortCmd.CR.isSet(read(PortRegister.CMD)))) {
            throw stuck("PxCMD.CR stays set after clearing ST");
        }
    }

    /** Puts the port in the idle state: ST, CR, FRE, FR all clear (§10.1.2 step 3). PASSIVE. */
    private void stopEngines() throws PortException {
        stopCommandEngine();
        int cmd = read(PortRegister.CMD);
        if (PortCmd.FRE.isSet(cmd)) {
            write(PortRegister.CMD, cmd & ~PortCmd.FRE.mask());
        }
        if (!Poll.until(options.timeouts().portStopMillis(), () -> !PortCmd.FR.isSet(read(PortRegister.CMD)))) {
            throw stuck("PxCMD.FR stays set after clearing FRE");
        }
    }

    private PortException stuck(String what) {
        snapshot(RegisterHistory.Event.ERROR);
        state = PortState.FAILED;
        return new PortException(where() + ": " + what + " within " + options.timeouts().portStopMillis()
                + " ms (AHCI 1.3.1 §10.1.2); the controller does not answer: reset it (unbind and rebind) "
                + "or power-cycle the machine.\n" + history.dump());
    }

    /** Control(StopChannel). PASSIVE: interrupts off, command and FIS engines stopped. */
    boolean stopChannel() {
        write(PortRegister.IE, 0);
        try {
            stopEngines();
        } catch (PortException e) {
            return false;
        }
        write(PortRegister.IS, 0xffff_ffff);
        snapshot(RegisterHistory.Event.STOP);
        state = PortState.STOPPED;
        return true;
    }

    void release() {
        logCommand.release();
        pool.releaseMemory();
        structures.close();
    }

    // ---------------------------------------------------------------- caller side (PASSIVE)

    /**
     * Starts reading or writing {@code data.remaining()} bytes at {@code lba}: the transfer is
     * split into commands of at most {@link #maxSectorsPerCommand()} sectors, submitted at once
     * up to the queue depth. Returns when every command is submitted (waiting only while all of
     * the port's commands are in flight); the future completes when all have completed, or
     * exceptionally with the first failure. The buffer must not be touched until then. PASSIVE.
     * The caller has checked the range against the disk's capacity and the buffer's length.
     */
    public CompletableFuture<Void> submit(boolean isWrite, long lba, ByteBuffer data) throws PortException {
        return submit(isWrite, lba, data, false);
    }

    /**
     * Like {@link #submit(boolean, long, ByteBuffer)}; with {@code fua} a write uses forced unit
     * access (WRITE FPDMA QUEUED with FUA, or WRITE DMA FUA EXT), so each command completes only
     * once its data is on the medium. Only when {@link #supportsFua()}.
     */
    public CompletableFuture<Void> submit(boolean isWrite, long lba, ByteBuffer data, boolean fua) throws PortException {
        if (fua && !(isWrite && supportsFua())) {
            throw new IllegalArgumentException(where() + ": FUA is for writes to a disk that supports it (IDENTIFY word 84 bit 6)");
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
            submit(c);
        }
        transfer.allSubmitted();
        return transfer.future();
    }

    /** Reads or writes and waits for the end. PASSIVE. */
    public void transfer(boolean isWrite, long lba, ByteBuffer data) throws PortException {
        await(submit(isWrite, lba, data, false));
    }

    /** Writes with forced unit access and waits for the end; see {@link #submit(boolean, long, ByteBuffer, boolean)}. */
    public void writeFua(long lba, ByteBuffer data) throws PortException {
        await(submit(true, lba, data, true));
    }

    /**
     * FLUSH CACHE EXT (or FLUSH CACHE on a 28-bit device), ACS-3 §7.10 and §7.9. A non-queued
     * command: it starts once the queued commands before it completed, so every write that
     * completed before flush() was called is durable when it returns. PASSIVE.
     */
    public void flush() throws PortException {
        run(identity.lba48() ? AtaCommand.FLUSH_CACHE_EXT : AtaCommand.FLUSH_CACHE, 0, 0, null, false);
    }

    private int readOpcode() {
        if (useNcq) {
            return AtaCommand.READ_FPDMA_QUEUED;
        }
        return identity.lba48() ? AtaCommand.READ_DMA_EXT : AtaCommand.READ_DMA;
    }

    private int writeOpcode() {
        if (useNcq) {
            return AtaCommand.WRITE_FPDMA_QUEUED;
        }
        return identity.lba48() ? AtaCommand.WRITE_DMA_EXT : AtaCommand.WRITE_DMA;
    }

    /** One command, waited for; {@code data} receives what it reads (null when nothing moves). */
    private void run(int opcode, long lba, int sectors, ByteBuffer data, boolean isWrite) throws PortException {
        ByteBuffer buffer = data == null ? ByteBuffer.allocate(0) : data;
        PortTransfer transfer = new PortTransfer(buffer);
        AhciCommand c = acquire();
        c.prepare(opcode, lba, sectors, buffer.remaining(), isWrite);
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
            throw new PortException(where() + ": interrupted while waiting for a free command slot");
        }
    }

    private void submit(AhciCommand c) throws PortException {
        try {
            channel.submit(c.request);
        } catch (IllegalStateException e) {
            pool.release(c);
            throw new PortException(where() + " does not take commands: " + e.getMessage(), e);
        }
    }

    private void await(CompletableFuture<Void> future) throws PortException {
        long waitMillis = options.timeouts().commandMillis() + RECOVERY_ALLOWANCE_MILLIS;
        try {
            future.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw (PortException) e.getCause();
        } catch (TimeoutException e) {
            throw new PortException(where() + ": a command neither completed nor timed out within " + waitMillis
                    + " ms; the port layer lost it. Restart the controller.\n" + history.dump());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortException(where() + ": interrupted while waiting for a command");
        }
    }

    private void checkReady() throws PortException {
        PortState s = state;
        if (s == PortState.NO_DEVICE) {
            throw new NoDeviceException(where() + " is NO_DEVICE, not READY: no disk is attached.");
        }
        if (s != PortState.READY && s != PortState.RECOVERING) {
            throw new PortException(where() + " is " + s + ", not READY: restart the controller.");
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
        String what = where() + ": " + AtaCommand.name(c.opcode) + range;
        if (status == IoStatus.ABORTED) {
            return new PortException(what + " was aborted: the port was stopped.");
        }
        if (c.timedOut) {
            return new CommandTimeoutException(what + " did not complete within " + options.timeouts().commandMillis()
                    + " ms; the controller stopped answering. " + c.outcome + "\n" + history.dump());
        }
        if (c.errorInterrupts == 0) {
            return state == PortState.NO_DEVICE ? new NoDeviceException(what + " did not complete: " + c.outcome)
                    : new PortException(what + " did not complete: " + c.outcome);
        }
        int st = PortTfd.STS.get(c.taskFile);
        int error = PortTfd.ERR.get(c.taskFile);
        String message = what + " failed: " + PortIs.describe(c.errorInterrupts) + ", ATA status "
                + AtaStatus.describe(st) + ", error " + AtaStatus.describeError(error) + ". " + advice(error) + " "
                + c.outcome + "\n" + history.dump();
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

    // ---------------------------------------------------------------- miniport callbacks

    /** IdeHwBuildIo: writes the FIS and PRDs into the command's own table. Submitter's thread, no lock. */
    boolean buildIo(AhciCommand c) {
        c.buildTable();
        return true;
    }

    /**
     * IdeHwStartIo. DIRQL with SyncWithIsr, else DISPATCH; holds the channel lock. Refuses with
     * an error when the port cannot run commands, answers busy while the port recovers or the
     * command may not join those in flight, otherwise issues it in a synchronized routine (the
     * slot state is shared with the ISR). Allocates nothing.
     */
    boolean startIo(AhciCommand c) {
        PortState s = state;
        if (s == PortState.RECOVERING) {
            return false;
        }
        if (s != PortState.READY) {
            c.outcome = where() + " is " + s + (s == PortState.NO_DEVICE ? ": the disk was removed." : ".");
            channel.completeRequest(c.request, IoStatus.ERROR);
            return true;
        }
        starting = c;
        channel.requestSynchronizedRoutine(issueRoutine);
        return startAccepted;
    }

    /**
     * DIRQL: issues the starting command in its own slot (§5.5.1), NCQ commands through PxSACT
     * first (§5.6.4). Queued and non-queued commands never share the port: a non-queued one waits
     * for the port to drain, and queued ones wait behind it.
     */
    private void issueStarting() {
        AhciCommand c = starting;
        starting = null;
        boolean queued = c.queued();
        if (recoveryQueued || (queued ? issued != queuedIssued : issued != 0)) {
            startAccepted = false;
            return;
        }
        int bit = 1 << c.index;
        c.writeHeader(structures.buffer(), LIST_OFFSET);
        if (issued == 0) {
            channel.requestTimer(timerRoutine, timerPeriodMicros);
        }
        issued |= bit;
        if (queued) {
            queuedIssued |= bit;
        }
        slots[c.index] = c;
        issuedAt[c.index] = System.nanoTime();
        commandsIssued++;
        prdEntriesIssued += c.prds;
        VarHandle.releaseFence();
        if (queued) {
            write(PortRegister.SACT, bit);
        }
        write(PortRegister.CI, bit);
        history.record(RegisterHistory.Event.ISSUE, -1, -1, -1, -1, -1, bit, queued ? bit : -1);
        startAccepted = true;
    }

    /**
     * This port's part of the ISR (§10.7.2): reads and clears PxIS, completes the commands whose
     * PxCI and PxSACT bits cleared, or hands errors and link changes to recovery. DIRQL, on the
     * interrupt thread; allocates nothing.
     *
     * @return whether the port had anything pending
     */
    boolean interrupt() {
        int is = read(PortRegister.IS);
        if (is == 0) {
            return false;
        }
        write(PortRegister.IS, is);
        int ci = read(PortRegister.CI);
        int sact = queuedIssued != 0 ? read(PortRegister.SACT) : 0;
        history.record(RegisterHistory.Event.INTERRUPT, is, -1, -1, -1, -1, ci, sact);
        if (isolating != null) {
            isolationInterrupt(is, ci);
            return true;
        }
        if ((is & LINK_CHANGE) != 0) {
            pendingLinkChange = true;
            requestRecovery();
        }
        if ((is & PortIs.ERROR_MASK) != 0) {
            pendingErrors |= is & PortIs.ERROR_MASK;
            requestRecovery();
        }
        if (recoveryQueued) {
            return true;
        }
        int done = issued & ~(ci | sact);
        while (done != 0) {
            int slot = Integer.numberOfTrailingZeros(done);
            done &= done - 1;
            completeSlot(slot, IoStatus.SUCCESS);
        }
        if (issued == 0) {
            channel.requestTimer(timerRoutine, 0);
        }
        return true;
    }

    /** DIRQL: the slot's command is done; the port layer runs its completion at DISPATCH. */
    private void completeSlot(int slot, IoStatus status) {
        AhciCommand c = slots[slot];
        slots[slot] = null;
        issued &= ~(1 << slot);
        queuedIssued &= ~(1 << slot);
        channel.completeRequest(c.request, status);
    }

    /** DIRQL: asks for recovery once (AtaPortRequestWorkerRoutine; the ISR cannot queue work items). */
    private void requestRecovery() {
        if (!recoveryQueued) {
            recoveryQueued = true;
            channel.requestWorkerRoutine(recoveryRequest);
        }
    }

    /** DIRQL, from the command timer: commands past their deadline go to recovery; else re-arm. */
    private void checkDeadlines() {
        if (issued == 0 || recoveryQueued) {
            return;
        }
        long now = System.nanoTime();
        int pending = issued;
        while (pending != 0) {
            int slot = Integer.numberOfTrailingZeros(pending);
            pending &= pending - 1;
            if (now - issuedAt[slot] >= commandNanos) {
                pendingTimeouts |= 1 << slot;
            }
        }
        if (pendingTimeouts != 0) {
            requestRecovery();
        } else {
            channel.requestTimer(timerRoutine, timerPeriodMicros);
        }
    }

    /**
     * IdeHwReset, at DIRQL or DISPATCH holding the channel lock: asks the recovery work item for a
     * COMRESET; commands in flight are retried after it.
     */
    void reset() {
        channel.requestSynchronizedRoutine(AhciPort::resetLocked);
    }

    /** DIRQL. */
    private void resetLocked() {
        pendingComreset = true;
        requestRecovery();
    }

    /** DISPATCH worker routine: recovery polls and sleeps, so it runs as a PASSIVE work item. */
    private void queueRecovery() {
        portDriver.queueWorkItem(recoveryWorker, recoveryCallback, this);
    }

    /** Initializes the recovery worker (StorPortInitializeWorker). PASSIVE, at channel start. */
    void initializeRecoveryWorker() {
        recoveryWorker = portDriver.initializeWorker();
    }

    // ---------------------------------------------------------------- recovery (PASSIVE work item)

    /**
     * The recovery work item, AHCI 1.3.1 §6.2.2, PASSIVE with no port lock held: takes every
     * command out of its slot, restarts the port (COMRESET when needed), then settles each
     * command as drawn in the class comment, and lets waiting requests start. A disk that
     * disappeared fails every command with "removed"; one that appeared is brought up and
     * identified.
     */
    private void recover() {
        PortState before = state;
        state = PortState.RECOVERING;
        channel.requestSynchronizedRoutine(AhciPort::takeSlots);
        int tfd = read(PortRegister.TFD);
        snapshot(suspectTimeouts != 0 ? RegisterHistory.Event.TIMEOUT : RegisterHistory.Event.ERROR);
        NcqErrorLog log = null;
        String outcome;
        if (ncqErrorOnly()) {
            // §6.2.2.2: restart the engine without a reset and ask the device which tag failed.
            outcome = restart(false);
            log = state == PortState.READY ? readNcqErrorLog() : null;
            if (log == null) {
                outcome = restart(true);
            }
        } else {
            outcome = restart(mustComreset());
        }
        if (!linkUp()) {
            removed();
        } else if (state == PortState.FAILED) {
            failAllSuspects(outcome);
        } else if (before == PortState.READY || before == PortState.RECOVERING) {
            settleSuspects(tfd, outcome, log);
        } else {
            arrived();
        }
        channel.requestSynchronizedRoutine(AhciPort::endRecovery);
        channel.requestNextRequest();
    }

    /** Recovery is for a device error on queued commands only: no timeout, link change or Reset. */
    private boolean ncqErrorOnly() {
        boolean queued = false;
        for (int i = 0; i < suspectCount; i++) {
            queued |= suspects[i].queued();
        }
        return queued && suspectErrors != 0 && suspectTimeouts == 0 && !suspectLinkChange && !suspectComreset;
    }

    /**
     * READ LOG EXT of the NCQ Command Error log (10h), run alone in slot 0. Returns the log when
     * the device answered with a queued command's tag; null when the device has no such log
     * (QEMU's answers ABRT) or the log names no queued command: recovery then resets the port and
     * finds the failing command by retrying each one alone. PASSIVE.
     */
    private NcqErrorLog readNcqErrorLog() {
        logCommand.prepare(AtaCommand.READ_LOG_EXT, NcqErrorLog.LOG_ADDRESS, 1, IdentifyData.SIZE, false);
        if (!runAlone(logCommand)) {
            return null;
        }
        NcqErrorLog log = NcqErrorLog.parse(logCommand.data(), 0);
        return log.nonQueued() ? null : log;
    }

    /**
     * Whether recovery must COMRESET: Reset asked, the link changed, a command timed out (the
     * device may still be working on it and DMA into its buffer later), or queued commands were
     * in flight (a device aborts every queued command after an NCQ error, and only a reset makes
     * sure none of them still moves data). A lone non-queued error needs only the engine restart.
     */
    private boolean mustComreset() {
        boolean queued = false;
        for (int i = 0; i < suspectCount; i++) {
            queued |= suspects[i].queued();
        }
        return suspectComreset || suspectLinkChange || suspectTimeouts != 0 || queued;
    }

    /** DIRQL, at the start of recovery: hands every command in a slot, and why, to the work item. */
    private void takeSlots() {
        suspectCount = 0;
        int pending = issued;
        while (pending != 0) {
            int slot = Integer.numberOfTrailingZeros(pending);
            pending &= pending - 1;
            suspects[suspectCount++] = slots[slot];
            slots[slot] = null;
        }
        suspectErrors = pendingErrors;
        suspectTimeouts = pendingTimeouts;
        suspectLinkChange = pendingLinkChange;
        suspectComreset = pendingComreset;
        issued = 0;
        queuedIssued = 0;
        pendingErrors = 0;
        pendingTimeouts = 0;
        pendingLinkChange = false;
        pendingComreset = false;
        channel.requestTimer(timerRoutine, 0);
    }

    /**
     * DIRQL, at the end of recovery. Errors and link changes flagged while it ran are mostly its
     * own COMRESET's doing and are dropped; but if the link now disagrees with the port's state
     * (a disk left or came while recovery ran), recovery is asked for again, so no change is lost.
     */
    private void endRecovery() {
        pendingLinkChange = false;
        pendingErrors = 0;
        recoveryQueued = false;
        PortState s = state;
        boolean expectsDevice = s != PortState.NO_DEVICE && s != PortState.STOPPED;
        if (linkUp() != expectsDevice) {
            pendingLinkChange = true;
            requestRecovery();
        }
    }

    /**
     * Stop the command engine, clear PxSERR and PxIS, COMRESET when the device stays busy or
     * {@code forceComreset}, restart (§6.2.2.1). Returns a sentence for error messages.
     */
    private String restart(boolean forceComreset) {
        try {
            stopCommandEngine();
            write(PortRegister.SERR, 0xffff_ffff);
            write(PortRegister.IS, 0xffff_ffff);
            int busy = PortTfd.STS_BSY.mask() | PortTfd.STS_DRQ.mask();
            boolean needComreset = forceComreset || (read(PortRegister.TFD) & busy) != 0;
            if (needComreset && !(comreset() && waitForDeviceReady())) {
                if (!linkUp()) {
                    return "The disk is gone (no link after COMRESET).";
                }
                state = PortState.FAILED;
                snapshot(RegisterHistory.Event.ERROR);
                return "The port could not be recovered (device busy after COMRESET): restart the controller.";
            }
            startEngine();
            snapshot(RegisterHistory.Event.RECOVERED);
            state = PortState.READY;
            return "The port was recovered and accepts new commands.";
        } catch (PortException e) {
            return "Recovery failed: " + e.getMessage();
        }
    }

    /**
     * Decides each taken command's fate (see the class comment); {@code log} is the NCQ error log
     * when the device named the failing tag. PASSIVE.
     */
    private void settleSuspects(int tfd, String outcome, NcqErrorLog log) {
        boolean unambiguous = suspectCount == 1 && !suspects[0].queued();
        for (int i = 0; i < suspectCount; i++) {
            AhciCommand c = suspects[i];
            suspects[i] = null;
            c.outcome = outcome;
            if ((suspectTimeouts & (1 << c.index)) != 0) {
                c.timedOut = true;
                channel.completeRequest(c.request, IoStatus.ERROR);
            } else if (unambiguous && suspectErrors != 0) {
                c.errorInterrupts = suspectErrors;
                c.taskFile = tfd;
                channel.completeRequest(c.request, IoStatus.ERROR);
            } else if (log != null && log.tag() == c.index) {
                c.errorInterrupts = suspectErrors;
                c.taskFile = PortTfd.ERR.with(PortTfd.STS.with(0, log.status()), log.error());
                c.outcome = "The NCQ error log named it (tag " + log.tag() + "); " + outcome;
                channel.completeRequest(c.request, IoStatus.ERROR);
            } else if (retryAlone(c)) {
                channel.completeRequest(c.request, IoStatus.SUCCESS);
            } else {
                c.outcome = (c.timedOut ? "Retried alone, it timed out; " : "Retried alone, it failed again; ")
                        + restart(c.timedOut);
                channel.completeRequest(c.request, IoStatus.ERROR);
            }
        }
        suspectCount = 0;
    }

    private void failAllSuspects(String outcome) {
        for (int i = 0; i < suspectCount; i++) {
            AhciCommand c = suspects[i];
            suspects[i] = null;
            c.outcome = outcome;
            channel.completeRequest(c.request, IoStatus.ERROR);
        }
        suspectCount = 0;
    }

    /** Retries {@code c} alone as a non-queued command (see {@link #runAlone}). PASSIVE. */
    private boolean retryAlone(AhciCommand c) {
        commandsRetried++;
        c.makeNonQueued();
        return runAlone(c);
    }

    /**
     * Runs {@code c} alone in its own slot and waits for it, bypassing the port layer's queue
     * (which holds new requests while the port recovers). PASSIVE. Records the failure in
     * {@code c} and returns false when it fails or times out.
     */
    private boolean runAlone(AhciCommand c) {
        c.buildTable();
        isolationDone = false;
        isolationWaiter = Thread.currentThread();
        isolationStarting = c;
        channel.requestSynchronizedRoutine(AhciPort::issueIsolated);
        long deadline = System.nanoTime() + commandNanos;
        while (!isolationDone && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(this, deadline - System.nanoTime());
        }
        isolationWaiter = null;
        channel.requestSynchronizedRoutine(AhciPort::endIsolation);
        if (!isolationDone) {
            c.timedOut = true;
            snapshot(RegisterHistory.Event.TIMEOUT);
            return false;
        }
        if ((isolationInterrupts & (PortIs.ERROR_MASK | LINK_CHANGE)) != 0) {
            c.errorInterrupts = isolationInterrupts & (PortIs.ERROR_MASK | LINK_CHANGE);
            c.taskFile = read(PortRegister.TFD);
            snapshot(RegisterHistory.Event.ERROR);
            return false;
        }
        return true;
    }

    /** DIRQL: issues the isolated command. */
    private void issueIsolated() {
        AhciCommand c = isolationStarting;
        isolationStarting = null;
        isolationInterrupts = 0;
        isolating = c;
        c.writeHeader(structures.buffer(), LIST_OFFSET);
        commandsIssued++;
        VarHandle.releaseFence();
        write(PortRegister.CI, 1 << c.index);
        history.record(RegisterHistory.Event.ISSUE, -1, -1, -1, -1, -1, 1 << c.index, -1);
    }

    /** DIRQL, from the ISR while a command runs alone: it finished or failed. */
    private void isolationInterrupt(int is, int ci) {
        isolationInterrupts |= is;
        if ((is & (PortIs.ERROR_MASK | LINK_CHANGE)) != 0 || (ci & (1 << isolating.index)) == 0) {
            isolationDone = true;
            Thread w = isolationWaiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /** DIRQL. */
    private void endIsolation() {
        isolating = null;
    }

    /** The disk went away: every command fails, the port waits for a new one. PASSIVE. */
    private void removed() {
        state = PortState.NO_DEVICE;
        identity = null;
        snapshot(RegisterHistory.Event.STOP);
        failAllSuspects(where() + ": the disk was removed (no link: PxSSTS.DET="
                + PortSsts.DET.get(read(PortRegister.SSTS)) + ").");
    }

    /** A disk appeared on an empty port: bring it up, identify it, announce it. PASSIVE. */
    private void arrived() {
        if (!waitForDeviceReady()) {
            state = PortState.FAILED;
            return;
        }
        readSignature();
        if (state != PortState.READY) {
            return;
        }
        channel.requestSynchronizedRoutine(AhciPort::endRecovery);
        try {
            identify();
            arrivalListener.accept(this);
        } catch (PortException e) {
            state = PortState.FAILED;
        }
    }
}
