package io.jahci.miniport;

import io.jahci.ahci.D2HRegisterFis;
import io.jahci.ahci.PortIs;
import io.jahci.ahci.PortRegister;
import io.jahci.ahci.ReceivedFis;
import io.jahci.ataport.Channel;
import io.jahci.ataport.ChannelRoutine;
import io.jahci.ataport.IoStatus;
import io.jahci.hw.DeviceLostException;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * A port's 32 command slots and everything the ISR shares with them: which command sits in which
 * slot (§5.5.1; the slot is also the NCQ tag, §5.6.4), when it was issued, what recovery has been
 * asked for and why, and the one command recovery runs alone.
 *
 * <p><b>Lock rule:</b> every field of this class is guarded by the interrupt lock. Every method
 * that reads or writes one runs at DIRQL holding it: the ISR ({@link #interrupt}), StartIo's
 * issue ({@link #issue}), the timer's deadline check, Reset's request, and recovery's hand-over
 * ({@link #takeSlots}, {@link #endRecovery}, the isolated command's issue and end). Callers at
 * lower levels reach them through {@link Channel#requestSynchronizedRoutine}. The one exception is
 * {@link #runAlone}, recovery's PASSIVE wait for its isolated command ({@link IsolatedCommand}, which
 * keeps the same rule): it touches the guarded fields only through synchronized routines and polls
 * two volatile ones. The statistics counters are volatile, read at any level. Nothing here
 * allocates.
 *
 * <p><b>A controller that stops answering.</b> The doorbell write and the ISR's reads run at DIRQL
 * under the interrupt lock, as in StorAHCI; on the QEMU transport each is a qtest round trip that
 * can wait up to the register-access limit (on PCIe, an access to a dead device likewise stalls
 * until the completion timeout). Moving them out of the lock would let the ISR and StartIo race
 * on PxCI; instead the hold is bounded: the access that times out (or reads all ones) marks the
 * controller lost ({@link ControllerLoss}), this table fails its slots ({@link #failLost}) and the
 * lock is released on the way out; every later access fails at once, so no thread holds or waits
 * for the lock across a second timeout, and the threads spinning on it meanwhile get it within one
 * limit. A doorbell whose write timed out may still land: its command fails only because the
 * controller is lost, and nothing a late transfer leaves in a command's buffer reaches a caller:
 * every later request fails, and read data is copied out only on success.
 */
final class SlotTable {
    private static final System.Logger LOG = System.getLogger(SlotTable.class.getName());
    /** StartIo's slot assignment, at DIRQL (inline when StartIo already holds the lock). */
    private static final ChannelRoutine<AhciPort> ISSUE = port -> port.slotTable().issueStarting();
    /** The command timer (AtaPortRequestTimer), at DISPATCH: checks deadlines at DIRQL. */
    private static final ChannelRoutine<AhciPort> CHECK_DEADLINES = port -> port.slotTable().checkDeadlines();
    private static final ChannelRoutine<AhciPort> TIMER = port -> port.channel().requestSynchronizedRoutine(CHECK_DEADLINES);
    private static final ChannelRoutine<AhciPort> RESET = port -> port.slotTable().resetLocked();
    /**
     * A completion poll that sees no new FIS in memory still reads PxIS once this long after the
     * last read: the backstop for an HBA that clears PxCI/PxSACT after writing the FIS we saw.
     */
    private static final long REGISTER_POLL_NANOS = 1_000_000;

    private final AhciPort port;
    private final PortLink link;
    private final RegisterHistory history;
    private final ByteBuffer structures;
    private final long commandNanos;
    private final long timerPeriodMicros;
    /** Requested from the ISR or the timer, run at DISPATCH: queues the recovery work item. */
    private final ChannelRoutine<AhciPort> recoveryRequest;

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
    private boolean pendingStorm;
    private final InterruptStorm storm;
    /** How the ISR names PxIS when it reads all ones (made once: the ISR allocates nothing). */
    private final String pxIsName;
    private long registersPolledAt;
    /** DIRQL: the register work running now is a completion poll's, not an interrupt's. */
    private boolean polling;
    private volatile long commandsIssued;
    /** Recovery's command run alone; its fields share this table's lock rule. */
    private final IsolatedCommand isolated;
    private volatile long prdEntriesIssued;

    SlotTable(AhciPort port, PortLink link, RegisterHistory history, ByteBuffer structures, long commandMillis,
              long registerAccessNanos, ChannelRoutine<AhciPort> recoveryRequest) {
        this.port = port;
        this.storm = new InterruptStorm(registerAccessNanos);
        this.pxIsName = "PxIS of port " + port.number();
        this.link = link;
        this.history = history;
        this.structures = structures;
        this.commandNanos = commandMillis * 1_000_000L;
        this.timerPeriodMicros = Math.max(1_000, Math.min(1_000_000, commandMillis * 250));
        this.recoveryRequest = recoveryRequest;
        this.isolated = new IsolatedCommand(port, link, history, structures, commandNanos, this);
    }

    /** Commands issued since start (in slots and alone). Any level. */
    long commandsIssued() {
        return commandsIssued;
    }

    /** PRD entries the commands issued through slots carried. Any level. */
    long prdEntriesIssued() {
        return prdEntriesIssued;
    }

    private Channel<AhciPort> channel() {
        return port.channel();
    }

    /**
     * StartIo's part: issues {@code c} in a synchronized routine unless it must wait. Called with
     * the channel lock held (DIRQL with SyncWithIsr, else DISPATCH).
     *
     * @return false (busy) while recovery is asked for, or while {@code c} may not join the
     *     commands in flight
     */
    boolean issue(AhciCommand c) {
        starting = c;
        channel().requestSynchronizedRoutine(ISSUE);
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
        c.writeHeader(structures, PortLink.LIST_OFFSET);
        if (!queued) {
            AhciCommand.clearD2hFis(structures, PortLink.FIS_OFFSET);
        }
        if (issued == 0) {
            channel().requestTimer(TIMER, timerPeriodMicros);
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
        startAccepted = true;
        try {
            if (queued) {
                link.write(PortRegister.SACT, bit);
            }
            link.write(PortRegister.CI, bit);
        } catch (DeviceLostException e) {
            // The doorbell may or may not have reached the device: only because the controller is
            // lost (nothing it does reaches us any more) may the command fail now.
            port.loss().lose(e.getMessage());
            failLost();
            return;
        }
        history.record(RegisterHistory.Event.ISSUE, -1, -1, -1, -1, -1, bit, queued ? bit : -1);
    }

    /**
     * This port's part of the ISR (§10.7.2): reads and clears PxIS, completes the commands whose
     * PxCI and PxSACT bits cleared, or hands errors and link changes to recovery. DIRQL, on the
     * interrupt thread; allocates nothing.
     *
     * @return whether the port had anything pending
     */
    boolean interrupt() {
        try {
            return service();
        } catch (DeviceLostException e) {
            port.loss().lose(e.getMessage());
            failLost();
            return true;
        }
    }

    /** The ISR's work; throws DeviceLostException when a register access finds the controller lost. DIRQL. */
    private boolean service() {
        int is = port.loss().check(link.read(PortRegister.IS), pxIsName);
        if (is == 0) {
            noProgress(is);
            return false;
        }
        if ((is & PortLink.LINK_CHANGE) != 0) {
            // PRCS and PCS are read-only in PxIS: they clear with PxSERR.DIAG.N and DIAG.X (§3.3.5),
            // and while set they keep IS and a level interrupt asserted.
            link.write(PortRegister.SERR, PortLink.LINK_CHANGE_SERR);
        }
        link.write(PortRegister.IS, is);
        // Which commands are done: NCQ commands by PxSACT alone (§3.3.13: a Set Device Bits FIS clears
        // it, after the D2H Register FIS that cleared PxCI, §3.3.14), others by PxCI: one register read
        // either way, as libahci reads it. startIo never mixes the two kinds; isolation runs one
        // non-queued command.
        boolean ncq = queuedIssued != 0 && !isolated.running();
        int ci = ncq ? 0 : link.read(PortRegister.CI);
        int sact = queuedIssued != 0 ? link.read(PortRegister.SACT) : 0;
        history.record(RegisterHistory.Event.INTERRUPT, is, -1, -1, -1, -1, ncq ? -1 : ci, sact);
        if (isolated.running()) {
            if (isolated.interrupt(is, ci)) {
                storm.progress();
            } else {
                noProgress(is);
            }
            return true;
        }
        if ((is & (PortLink.LINK_CHANGE | PortIs.ERROR_MASK)) != 0) {
            storm.progress();
        }
        if ((is & PortLink.LINK_CHANGE) != 0) {
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
        if (done == 0) {
            noProgress(is);
        } else {
            storm.progress();
        }
        while (done != 0) {
            int slot = Integer.numberOfTrailingZeros(done);
            done &= done - 1;
            completeSlot(slot);
        }
        if (issued == 0) {
            channel().requestTimer(TIMER, 0);
        }
        return true;
    }

    /**
     * DIRQL: the controller is lost. Every command in a slot fails now, once, as lost (nothing the
     * controller does reaches this port any more: its interrupts are ignored), the command timer
     * stops, and a command recovery runs alone stops being waited for. Idempotent: a second call
     * finds the slots empty.
     */
    void failLost() {
        if (issued != 0 || isolated.running()) {
            history.record(RegisterHistory.Event.LOST, -1, -1, -1, -1, -1, issued, queuedIssued);
        }
        int pending = issued;
        issued = 0;
        queuedIssued = 0;
        pendingTimeouts = 0;
        while (pending != 0) {
            int slot = Integer.numberOfTrailingZeros(pending);
            pending &= pending - 1;
            AhciCommand c = slots[slot];
            slots[slot] = null;
            c.lost = true;
            channel().completeRequest(c.request, IoStatus.ERROR);
        }
        channel().requestTimer(TIMER, 0);
        isolated.abandon();
    }

    /**
     * The completion poll of a polling {@link io.jahci.ataport.CompletionMode}: DIRQL, holding the
     * interrupt lock, on a polling thread. It looks first at what the HBA writes to memory, the
     * received-FIS area (§4.2.1): a Set Device Bits FIS (NCQ, §5.6.4.2) or, for the one non-queued
     * command, a D2H Register FIS since its issue. Only when one came (or {@link #REGISTER_POLL_NANOS}
     * passed) does it run the ISR's register work ({@link #interrupt}: PxIS, PxCI, PxSACT). Why
     * memory first, measured on the QEMU transport (docs/latency-completion.md): a register read
     * there is a qtest round trip that also holds up QEMU's main loop, which is busy completing
     * the command; a memory read is a load. On real hardware a PxIS read is an uncached MMIO read
     * (~0.5-1 us) while the FIS area is ordinary cached DMA memory. The SDB FIS area holds only
     * the last SDB FIS, so its tag bits are not trusted: it is a hint, cleared before the
     * registers are read, and PxCI/PxSACT say which commands completed. Allocates nothing.
     *
     * @return whether it found something
     */
    boolean poll() {
        if (isolated.running()) {
            return pollRegisters();
        }
        if (issued == 0) {
            return false;
        }
        boolean hint = queuedIssued != 0 ? structures.get(PortLink.FIS_OFFSET + ReceivedFis.SDBFIS) != 0
                : (structures.get(PortLink.FIS_OFFSET + ReceivedFis.RFIS) & 0xff) == D2HRegisterFis.TYPE;
        long now = System.nanoTime();
        if (!hint && now - registersPolledAt < REGISTER_POLL_NANOS) {
            return false;
        }
        registersPolledAt = now;
        if (queuedIssued != 0) {
            structures.put(PortLink.FIS_OFFSET + ReceivedFis.SDBFIS, (byte) 0);
        }
        VarHandle.fullFence();
        return pollRegisters();
    }

    /** DIRQL: the ISR's register work for a poll; a poll that finds nothing is no spurious interrupt. */
    private boolean pollRegisters() {
        polling = true;
        try {
            return interrupt();
        } finally {
            polling = false;
        }
    }

    /**
     * DIRQL: the slot's command is done; the port layer runs its completion at DISPATCH. A data
     * command that moved fewer bytes than asked fails ({@link AhciCommand#shortTransfer}).
     */
    private void completeSlot(int slot) {
        AhciCommand c = slots[slot];
        slots[slot] = null;
        issued &= ~(1 << slot);
        queuedIssued &= ~(1 << slot);
        if (c.callerTaskFile != null) {
            c.captureResult(structures, PortLink.FIS_OFFSET, link.read(PortRegister.TFD));
        }
        channel().completeRequest(c.request, checkTransferred(c) ? IoStatus.SUCCESS : IoStatus.ERROR);
    }

    /** Whether {@code c} moved all its bytes; if not, records PRDBC in it. DIRQL or PASSIVE after it completed. */
    boolean checkTransferred(AhciCommand c) {
        int moved = c.bytesTransferred(structures, PortLink.LIST_OFFSET);
        if (c.shortTransfer(moved)) {
            c.shortTransferBytes = moved;
            return false;
        }
        return true;
    }

    /** DIRQL: asks for recovery once (AtaPortRequestWorkerRoutine; the ISR cannot queue work items). */
    private void requestRecovery() {
        if (!recoveryQueued) {
            recoveryQueued = true;
            channel().requestWorkerRoutine(recoveryRequest);
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
            channel().requestTimer(TIMER, timerPeriodMicros);
        }
    }

    /**
     * IdeHwReset's part, at DIRQL or DISPATCH holding the channel lock: asks the recovery work item
     * for a COMRESET; commands in flight are retried after it.
     */
    void requestReset() {
        channel().requestSynchronizedRoutine(RESET);
    }

    /** DIRQL. */
    private void resetLocked() {
        pendingComreset = true;
        requestRecovery();
    }

    /**
     * DIRQL, at the start of recovery: hands every command in a slot, and why, to {@code cause},
     * empties the slots and stops the command timer.
     */
    void takeSlots(RecoveryCause cause) {
        cause.count = 0;
        int pending = issued;
        while (pending != 0) {
            int slot = Integer.numberOfTrailingZeros(pending);
            pending &= pending - 1;
            cause.commands[cause.count++] = slots[slot];
            slots[slot] = null;
        }
        cause.taken = issued;
        cause.queued = queuedIssued;
        cause.errors = pendingErrors;
        cause.timeouts = pendingTimeouts;
        cause.linkChange = pendingLinkChange;
        cause.comreset = pendingComreset;
        cause.storm = pendingStorm;
        issued = 0;
        queuedIssued = 0;
        pendingErrors = 0;
        pendingTimeouts = 0;
        pendingLinkChange = false;
        pendingComreset = false;
        pendingStorm = false;
        channel().requestTimer(TIMER, 0);
    }

    /**
     * DIRQL, at the end of recovery. Errors and link changes flagged while it ran are mostly its
     * own COMRESET's doing and are dropped; but if the link now disagrees with the port's state
     * (a disk left or came while recovery ran), recovery is asked for again, so no change is lost.
     */
    void endRecovery() {
        pendingLinkChange = false;
        pendingErrors = 0;
        recoveryQueued = false;
        if (port.loss().isLost()) {
            return;
        }
        PortState s = port.state();
        boolean expectsDevice = s != PortState.NO_DEVICE && s != PortState.STOPPED;
        if (link.linkUp() != expectsDevice) {
            pendingLinkChange = true;
            requestRecovery();
        }
    }

    /** Runs {@code c} alone and waits for it: {@link IsolatedCommand#run}. PASSIVE, from the recovery work item. */
    boolean runAlone(AhciCommand c) {
        return isolated.run(c);
    }

    /** DIRQL: counts a command issued outside the slots' own path (the isolated one). */
    void countIssued() {
        commandsIssued++;
    }

    IsolatedCommand isolated() {
        return isolated;
    }

    /**
     * DIRQL: an interrupt that did nothing. On a storm ({@link InterruptStorm}) the port's
     * interrupts are masked (PxIE=0), one line is logged, and recovery is asked for; it resets
     * the port and unmasks them, or gives the port up after {@link InterruptStorm#MAX_STORMS}.
     */
    private void noProgress(int is) {
        if (polling) {
            return; // storms are counted in interrupts; polls find nothing most of the time
        }
        if (!storm.noProgress(System.nanoTime()) || storm.givenUp()) {
            return;
        }
        link.write(PortRegister.IE, 0);
        pendingStorm = true;
        requestRecovery();
        LOG.log(System.Logger.Level.WARNING, port.where() + ": interrupt storm: " + InterruptStorm.STORM_INTERRUPTS
                + " interrupts in a row did nothing (PxIS " + Integer.toHexString(is) + "); its interrupts are masked"
                + " and the port is reset (storm " + storm.storms() + " of at most " + InterruptStorm.MAX_STORMS + ")");
    }

    /** Interrupts of this port that made no progress. Any level. */
    long spuriousInterrupts() {
        return storm.spurious();
    }

    /** Interrupt storms detected on this port. Any level. */
    int interruptStorms() {
        return storm.storms();
    }
}
