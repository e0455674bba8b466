package io.jahci.miniport;

import io.jahci.ahci.AtaCommand;
import io.jahci.ahci.AtaStatus;
import io.jahci.ahci.CommandHeader;
import io.jahci.ahci.DeviceSignature;
import io.jahci.ahci.IdentifyData;
import io.jahci.ahci.PortCmd;
import io.jahci.ahci.PortIs;
import io.jahci.ahci.PortRegister;
import io.jahci.ahci.PortSctl;
import io.jahci.ahci.PortSsts;
import io.jahci.ahci.PortTfd;
import io.jahci.ahci.ReceivedFis;
import io.jahci.ataport.Channel;
import io.jahci.ataport.ChannelRoutine;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One AHCI port as an ATA channel: the channel extension the port layer passes to every
 * {@link AhciMiniport} callback. It owns the port's DMA structures, its link and device, its
 * command slot, and its error recovery.
 *
 * <pre>
 *              StartChannel (PASSIVE): stop engines, program PxCLB/PxFB, FRE, spin up,
 *   STOPPED ─► wait PxSSTS.DET=3 (COMRESET once if not, §10.4.2), wait BSY/DRQ clear, read PxSIG
 *      ▲          │ no link            │ not ATA                     │ ATA disk
 *      │          ▼                    ▼                             ▼
 *      │      NO_DEVICE       UNSUPPORTED_DEVICE         Initialize (DIRQL/DISPATCH): clear PxIS,
 *      │                                                 PxSERR, set PxIE, set PxCMD.ST (§10.3.1)
 *      │                                                             │
 *      │ StopChannel                                                 ▼
 *      ├──────────────────────────────────────────────────────────  READY ◄─────────────────────┐
 *      │                          StartIo: slot free → header, PxCI │  ▲ ISR: PxCI bit clear →  │
 *      │                                                            ▼  │ completeRequest         │
 *      │                                                        (command in slot 0)              │
 *      │                                 ISR: PxIS error bit (§6.1), or the command timer fired  │
 *      │                                        → worker routine → work item (PASSIVE):          │
 *      │                                                            ▼                            │
 *      │       RECOVERING: clear ST, wait CR; clear PxSERR, PxIS; COMRESET if BSY/DRQ stay set;  │
 *      │       set ST (§6.2.2.1); the command completes with ERROR; StartIo answers "busy"       │
 *      │                          │ device not back                   │ back                     │
 *      └─────────────────────── FAILED                                └──────────────────────────┘
 * </pre>
 *
 * <p>Locks and levels: bring-up and recovery run at PASSIVE (they poll and sleep). The ISR,
 * StartIo's slot assignment ({@link #issueRoutine}) and the end of recovery run at DIRQL, under
 * the interrupt lock, which guards {@link #issued} and {@link #inFlight}. Callers of
 * {@link #transfer} and {@link #flush} are PASSIVE and serialized by {@link #callerLock}: one
 * command at a time per port.
 */
public final class AhciPort {
    /** The slot used for non-queued commands. */
    private static final int SLOT = 0;
    /** Interrupts this port enables (PxIE, §3.3.6): completions, errors and link changes. */
    private static final int INTERRUPT_ENABLE = PortIs.DHRS.mask() | PortIs.PSS.mask() | PortIs.DSS.mask()
            | PortIs.SDBS.mask() | PortIs.UFS.mask() | PortIs.DPS.mask() | PortIs.PCS.mask() | PortIs.PRCS.mask()
            | PortIs.ERROR_MASK;
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
    private final AhciCommand command;
    private final int maxSectorsPerCommand;
    private final ReentrantLock callerLock = new ReentrantLock();

    private Channel<AhciPort> channel;
    private PortDriver<AhciHba> portDriver;
    private Worker recoveryWorker;

    private volatile PortState state = PortState.STOPPED;
    private DeviceSignature signature = DeviceSignature.UNKNOWN;
    private IdentifyData identity;
    private int sectorSize = 512;
    private volatile long commandsIssued;
    private volatile long prdEntriesIssued;

    // Guarded by the interrupt lock (DIRQL).
    private int issued;
    private long issuedAtNanos;
    private AhciCommand inFlight;
    private AhciCommand starting;
    private boolean startAccepted;
    private boolean recoveryQueued;
    private int pendingErrors;
    private boolean pendingTimeout;
    private boolean pendingComreset;

    /** StartIo's slot assignment, run at DIRQL (inline when StartIo already holds the lock). */
    private final ChannelRoutine<AhciPort> issueRoutine = AhciPort::issueStarting;
    /** The command timer (AtaPortRequestTimer), run at DISPATCH. */
    private final ChannelRoutine<AhciPort> timeoutRoutine = AhciPort::commandTimedOut;
    /** Requested from the ISR on an error, run at DISPATCH: queues the recovery work item. */
    private final ChannelRoutine<AhciPort> recoveryRequest = AhciPort::queueRecovery;
    /** The recovery work item (HW_WORKITEM), run at PASSIVE. */
    private final WorkItemCallback<AhciHba> recoveryCallback = (hba, context, worker) -> ((AhciPort) context).recover();
    /** Takes the failed command out of the slot, at DIRQL, at the end of recovery. */
    private final ChannelRoutine<AhciPort> takeFailedRoutine = AhciPort::takeFailed;
    private AhciCommand failed;

    AhciPort(String device, int number, Transport transport, HbaCapabilities caps, AhciPortOptions options)
            throws IOException {
        this.device = device;
        this.number = number;
        this.regs = transport.abar();
        this.caps = caps;
        this.options = options;
        this.structures = transport.allocateDma(FIS_OFFSET + ReceivedFis.SIZE, CommandHeader.LIST_ALIGNMENT);
        try {
            this.command = new AhciCommand(transport, options);
        } catch (IOException | RuntimeException e) {
            structures.close();
            throw e;
        }
        this.maxSectorsPerCommand = AhciCommand.maxSectors(options, 512);
        if (!caps.supports64BitAddresses()
                && Math.max(structures.busAddress(structures.size() - 1), command.highestBusAddress()) >>> 32 != 0) {
            release();
            throw new PortException(where() + ": the transport gave DMA memory above 4 GiB to a 32-bit HBA");
        }
    }

    /** Called from channel init (PASSIVE) once the port layer made the channel. */
    void bind(Channel<AhciPort> ch, PortDriver<AhciHba> driver) {
        this.channel = ch;
        this.portDriver = driver;
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
        signature = DeviceSignature.of(read(PortRegister.SIG));
        state = signature == DeviceSignature.ATA ? PortState.READY : PortState.UNSUPPORTED_DEVICE;
        return true;
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
     * Reads IDENTIFY DEVICE (ACS-3 §7.12) and takes the sector size from it. PASSIVE, after the
     * channel started.
     */
    void identify() throws PortException {
        callerLock.lock();
        try {
            command.prepare(AtaCommand.IDENTIFY_DEVICE, 0, 0, IdentifyData.SIZE, false);
            run(command);
            identity = IdentifyData.parse(command.data(), 0);
            sectorSize = identity.logicalSectorSize();
        } finally {
            callerLock.unlock();
        }
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

    /** Clears ST and waits for CR (§10.3.2). PASSIVE. */
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
        command.release();
        structures.close();
    }

    // ---------------------------------------------------------------- caller side (PASSIVE)

    /**
     * Reads or writes {@code data.remaining()} bytes at {@code lba}, split into commands of at most
     * {@link #maxSectorsPerCommand()} sectors. PASSIVE: blocks until done. The caller has checked
     * the range against the disk's capacity and the buffer's length.
     */
    public void transfer(boolean isWrite, long lba, ByteBuffer data) throws PortException {
        callerLock.lock();
        try {
            int base = data.position();
            int total = data.remaining() / sectorSize;
            int done = 0;
            while (done < total) {
                int sectors = Math.min(maxSectorsPerCommand, total - done);
                int bytes = sectors * sectorSize;
                int at = base + done * sectorSize;
                if (isWrite) {
                    command.data().put(0, data, at, bytes);
                }
                command.prepare(commandFor(isWrite), lba + done, sectors, bytes, isWrite);
                run(command);
                if (!isWrite) {
                    data.put(at, command.data(), 0, bytes);
                }
                done += sectors;
            }
        } finally {
            callerLock.unlock();
        }
    }

    /** FLUSH CACHE EXT (or FLUSH CACHE on a 28-bit device), ACS-3 §7.10 and §7.9. PASSIVE. */
    public void flush() throws PortException {
        callerLock.lock();
        try {
            command.prepare(identity.lba48() ? AtaCommand.FLUSH_CACHE_EXT : AtaCommand.FLUSH_CACHE, 0, 0, 0, false);
            run(command);
        } finally {
            callerLock.unlock();
        }
    }

    private int commandFor(boolean isWrite) {
        if (identity.lba48()) {
            return isWrite ? AtaCommand.WRITE_DMA_EXT : AtaCommand.READ_DMA_EXT;
        }
        return isWrite ? AtaCommand.WRITE_DMA : AtaCommand.READ_DMA;
    }

    /** Submits {@code c} through the port layer and waits; turns a failure into an exception. */
    private void run(AhciCommand c) throws PortException {
        if (state != PortState.READY) {
            throw new PortException(where() + " is " + state + ", not READY: "
                    + (state == PortState.NO_DEVICE ? "no disk is attached" : "restart the controller") + ".");
        }
        long waitMillis = options.timeouts().commandMillis() + RECOVERY_ALLOWANCE_MILLIS;
        if (!channel.submitAndWait(c.request, waitMillis, TimeUnit.MILLISECONDS)) {
            throw new PortException(where() + ": " + AtaCommand.name(c.opcode) + " neither completed nor timed out within "
                    + waitMillis + " ms; the port layer lost it. Restart the controller.\n" + history.dump());
        }
        if (c.request.status() != IoStatus.SUCCESS) {
            throw failure(c);
        }
    }

    private PortException failure(AhciCommand c) {
        String range = c.sectors == 0 ? "" : ", LBA " + c.lba + ".." + (c.lba + c.sectors - 1) + " (" + c.sectors + " sectors)";
        String what = where() + ": " + AtaCommand.name(c.opcode) + range;
        if (c.request.status() == IoStatus.ABORTED) {
            return new PortException(what + " was aborted: the port was stopped.");
        }
        if (c.timedOut) {
            return new PortException(what + " did not complete within " + options.timeouts().commandMillis()
                    + " ms; the controller stopped answering. " + c.outcome + "\n" + history.dump());
        }
        int status = PortTfd.STS.get(c.taskFile);
        int error = PortTfd.ERR.get(c.taskFile);
        if (c.errorInterrupts == 0) {
            return new PortException(what + " did not complete: " + c.outcome);
        }
        String message = what + " failed: " + PortIs.describe(c.errorInterrupts) + ", ATA status "
                + AtaStatus.describe(status) + ", error " + AtaStatus.describeError(error) + ". " + advice(error) + " "
                + c.outcome + "\n" + history.dump();
        if (PortIs.TFES.isSet(c.errorInterrupts)) {
            return new AtaCommandException(message, status, error, c.lba, c.sectors);
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
     * an error when the port cannot run commands, answers busy while the slot is taken or the
     * port recovers, otherwise assigns the slot in a synchronized routine (the slot state is
     * shared with the ISR) and arms the command timer. Allocates nothing.
     */
    boolean startIo(AhciCommand c) {
        PortState s = state;
        if (s == PortState.RECOVERING) {
            return false;
        }
        if (s != PortState.READY) {
            c.outcome = where() + " is " + s + ".";
            channel.completeRequest(c.request, IoStatus.ERROR);
            return true;
        }
        starting = c;
        channel.requestSynchronizedRoutine(issueRoutine);
        if (!startAccepted) {
            return false;
        }
        channel.requestTimer(timeoutRoutine, options.timeouts().commandMillis() * 1000);
        return true;
    }

    /** DIRQL: takes slot 0 if free, points its header at the command, rings PxCI (§5.5.1). */
    private void issueStarting() {
        AhciCommand c = starting;
        starting = null;
        if (issued != 0 || recoveryQueued) {
            startAccepted = false;
            return;
        }
        c.slot = SLOT;
        c.writeHeader(structures.buffer(), LIST_OFFSET, SLOT);
        issued = 1 << SLOT;
        issuedAtNanos = System.nanoTime();
        inFlight = c;
        commandsIssued++;
        prdEntriesIssued += c.prds;
        VarHandle.releaseFence();
        write(PortRegister.CI, 1 << SLOT);
        history.record(RegisterHistory.Event.ISSUE, -1, -1, -1, -1, -1, 1 << SLOT, -1);
        startAccepted = true;
    }

    /**
     * This port's part of the ISR (§10.7.2): reads and clears PxIS, completes the command whose
     * PxCI bit cleared, or hands an error to recovery. DIRQL, on the interrupt thread; allocates
     * nothing.
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
        history.record(RegisterHistory.Event.INTERRUPT, is, -1, -1, -1, -1, ci, -1);
        if ((is & PortIs.ERROR_MASK) != 0) {
            pendingErrors |= is & PortIs.ERROR_MASK;
            requestRecovery();
        } else if (issued != 0 && (ci & issued) == 0) {
            AhciCommand done = inFlight;
            issued = 0;
            inFlight = null;
            channel.requestTimer(timeoutRoutine, 0);
            channel.completeRequest(done.request, IoStatus.SUCCESS);
        }
        return true;
    }

    /** DIRQL: asks for recovery once (AtaPortRequestWorkerRoutine; the ISR cannot queue work items). */
    private void requestRecovery() {
        if (!recoveryQueued) {
            recoveryQueued = true;
            channel.requestWorkerRoutine(recoveryRequest);
        }
    }

    /** The command timer fired. DISPATCH, holding the channel lock. */
    private void commandTimedOut() {
        channel.requestSynchronizedRoutine(AhciPort::timeoutLocked);
    }

    /**
     * DIRQL: a command still in its slot when the timer fired has timed out (checked against its
     * issue time, as the timer may have been queued just before its command completed).
     */
    private void timeoutLocked() {
        if (issued != 0 && System.nanoTime() - issuedAtNanos >= options.timeouts().commandMillis() * 1_000_000L) {
            pendingTimeout = true;
            requestRecovery();
        }
    }

    /**
     * IdeHwReset, at DIRQL or DISPATCH holding the channel lock: asks the recovery work item for a
     * COMRESET; a command in the slot fails with ERROR.
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

    /**
     * The recovery work item: non-queued error recovery (§6.2.2.1). PASSIVE, no port lock held:
     * stop the command engine, clear PxSERR and PxIS, COMRESET when the device stays busy (or
     * Reset asked for it), restart; then fail the command that was in the slot and let queued
     * requests start.
     */
    private void recover() {
        state = PortState.RECOVERING;
        boolean forceComreset = pendingComreset;
        int tfd = read(PortRegister.TFD);
        snapshot(RegisterHistory.Event.ERROR);
        String outcome;
        try {
            stopCommandEngine();
            write(PortRegister.SERR, 0xffff_ffff);
            write(PortRegister.IS, 0xffff_ffff);
            int busy = PortTfd.STS_BSY.mask() | PortTfd.STS_DRQ.mask();
            boolean needComreset = forceComreset || (read(PortRegister.TFD) & busy) != 0;
            if (needComreset && !(comreset() && waitForDeviceReady())) {
                state = PortState.FAILED;
                outcome = "The port could not be recovered (device busy after COMRESET): restart the controller.";
            } else {
                startEngine();
                snapshot(RegisterHistory.Event.RECOVERED);
                state = PortState.READY;
                outcome = "The port was recovered and accepts new commands.";
            }
        } catch (PortException e) {
            outcome = "Recovery failed: " + e.getMessage();
        }
        channel.requestSynchronizedRoutine(takeFailedRoutine);
        AhciCommand c = failed;
        failed = null;
        if (c != null) {
            c.taskFile = tfd;
            c.outcome = outcome;
            channel.completeRequest(c.request, IoStatus.ERROR);
        }
        channel.requestNextRequest();
    }

    /** DIRQL, at the end of recovery: empties the slot and records why its command failed. */
    private void takeFailed() {
        failed = inFlight;
        if (failed != null) {
            failed.errorInterrupts = pendingErrors;
            failed.timedOut = pendingTimeout && pendingErrors == 0;
        }
        channel.requestTimer(timeoutRoutine, 0);
        inFlight = null;
        issued = 0;
        pendingErrors = 0;
        pendingTimeout = false;
        pendingComreset = false;
        recoveryQueued = false;
    }
}
