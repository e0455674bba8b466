package io.jahci.miniport;

import io.jahci.ahci.D2HRegisterFis;
import io.jahci.ahci.PortIs;
import io.jahci.ahci.PortRegister;
import io.jahci.ahci.ReceivedFis;
import io.jahci.ataport.Channel;
import io.jahci.ataport.ChannelRoutine;
import io.jahci.ataport.IoStatus;
import io.jahci.ataport.Verifier;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

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
 * {@link #runAlone}, recovery's PASSIVE wait for its isolated command: it touches the guarded
 * fields only through synchronized routines and polls the two volatile ones ({@link #isolationDone},
 * {@link #isolationWaiter}). The statistics counters are volatile, read at any level. Nothing here
 * allocates.
 */
final class SlotTable {
    /** StartIo's slot assignment, at DIRQL (inline when StartIo already holds the lock). */
    private static final ChannelRoutine<AhciPort> ISSUE = port -> port.slotTable().issueStarting();
    /** The command timer (AtaPortRequestTimer), at DISPATCH: checks deadlines at DIRQL. */
    private static final ChannelRoutine<AhciPort> CHECK_DEADLINES = port -> port.slotTable().checkDeadlines();
    private static final ChannelRoutine<AhciPort> TIMER = port -> port.channel().requestSynchronizedRoutine(CHECK_DEADLINES);
    private static final ChannelRoutine<AhciPort> RESET = port -> port.slotTable().resetLocked();
    private static final ChannelRoutine<AhciPort> ISSUE_ISOLATED = port -> port.slotTable().issueIsolated();
    private static final ChannelRoutine<AhciPort> END_ISOLATION = port -> port.slotTable().isolating = null;
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
    private AhciCommand isolationStarting;
    private AhciCommand isolating;
    private int isolationInterrupts;
    private volatile boolean isolationDone;
    private final BooleanSupplier isolationFinished = () -> isolationDone;
    private long registersPolledAt;
    private volatile Thread isolationWaiter;
    private volatile long commandsIssued;
    private volatile long prdEntriesIssued;

    SlotTable(AhciPort port, PortLink link, RegisterHistory history, ByteBuffer structures, long commandMillis,
              ChannelRoutine<AhciPort> recoveryRequest) {
        this.port = port;
        this.link = link;
        this.history = history;
        this.structures = structures;
        this.commandNanos = commandMillis * 1_000_000L;
        this.timerPeriodMicros = Math.max(1_000, Math.min(1_000_000, commandMillis * 250));
        this.recoveryRequest = recoveryRequest;
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
        if (queued) {
            link.write(PortRegister.SACT, bit);
        }
        link.write(PortRegister.CI, bit);
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
        int is = link.read(PortRegister.IS);
        if (is == 0) {
            return false;
        }
        link.write(PortRegister.IS, is);
        // Which commands are done: NCQ commands by PxSACT alone (§3.3.13: a Set Device Bits FIS clears
        // it, after the D2H Register FIS that cleared PxCI, §3.3.14), others by PxCI: one register read
        // either way, as libahci reads it. startIo never mixes the two kinds; isolation runs one
        // non-queued command.
        boolean ncq = queuedIssued != 0 && isolating == null;
        int ci = ncq ? 0 : link.read(PortRegister.CI);
        int sact = queuedIssued != 0 ? link.read(PortRegister.SACT) : 0;
        history.record(RegisterHistory.Event.INTERRUPT, is, -1, -1, -1, -1, ncq ? -1 : ci, sact);
        if (isolating != null) {
            isolationInterrupt(is, ci);
            return true;
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
     * The completion poll of a polling {@link io.jahci.ataport.CompletionMode}: DIRQL, holding the
     * interrupt lock, on a polling thread. It looks first at what the HBA writes to memory, the
     * received-FIS area (§4.2.1): a Set Device Bits FIS (NCQ, §5.6.4.2) or, for the one non-queued
     * command, a D2H Register FIS since its issue. Only when one came (or {@link #REGISTER_POLL_NANOS}
     * passed) does it run the ISR's register work ({@link #interrupt}: PxIS, PxCI, PxSACT). Why
     * memory first, measured on the QEMU transport (docs/latency-completion.md): a register read
     * there is a qtest round trip that also holds up QEMU's main loop, which is busy completing
     * the command; a memory read is a load. On real hardware a PxIS read is an uncached MMIO read
     * (~0.5-1 µs) while the FIS area is ordinary cached DMA memory. The SDB FIS area holds only
     * the last SDB FIS, so its tag bits are not trusted: it is a hint, cleared before the
     * registers are read, and PxCI/PxSACT say which commands completed. Allocates nothing.
     *
     * @return whether it found something
     */
    boolean poll() {
        if (isolating != null) {
            return interrupt();
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
        return interrupt();
    }

    /** DIRQL: the slot's command is done; the port layer runs its completion at DISPATCH. */
    private void completeSlot(int slot) {
        AhciCommand c = slots[slot];
        slots[slot] = null;
        issued &= ~(1 << slot);
        queuedIssued &= ~(1 << slot);
        if (c.callerTaskFile != null) {
            c.captureResult(structures, PortLink.FIS_OFFSET, link.read(PortRegister.TFD));
        }
        channel().completeRequest(c.request, IoStatus.SUCCESS);
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
        issued = 0;
        queuedIssued = 0;
        pendingErrors = 0;
        pendingTimeouts = 0;
        pendingLinkChange = false;
        pendingComreset = false;
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
        PortState s = port.state();
        boolean expectsDevice = s != PortState.NO_DEVICE && s != PortState.STOPPED;
        if (link.linkUp() != expectsDevice) {
            pendingLinkChange = true;
            requestRecovery();
        }
    }

    /**
     * Runs {@code c} alone in its own slot and waits for it, bypassing the port layer's queue
     * (which holds new requests while the port recovers). PASSIVE, from the recovery work item,
     * with every slot empty. Records the failure in {@code c} and returns false when it fails or
     * does not complete within the command timeout.
     */
    boolean runAlone(AhciCommand c) {
        Verifier.mightSleep("SlotTable.runAlone");
        c.buildTable();
        isolationDone = false;
        isolationWaiter = Thread.currentThread();
        isolationStarting = c;
        channel().requestSynchronizedRoutine(ISSUE_ISOLATED);
        long deadline = System.nanoTime() + commandNanos;
        if (channel().polling().mode().polls()) {
            channel().polling().awaitPolled(isolationFinished, commandNanos, TimeUnit.NANOSECONDS);
        }
        while (!isolationDone && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(this, deadline - System.nanoTime());
        }
        isolationWaiter = null;
        channel().requestSynchronizedRoutine(END_ISOLATION);
        if (!isolationDone) {
            c.timedOut = true;
            link.snapshot(RegisterHistory.Event.TIMEOUT);
            return false;
        }
        int failed = isolationInterrupts & (PortIs.ERROR_MASK | PortLink.LINK_CHANGE);
        if (failed != 0) {
            c.errorInterrupts = failed;
            c.taskFile = link.read(PortRegister.TFD);
            link.snapshot(RegisterHistory.Event.ERROR);
            return false;
        }
        if (c.callerTaskFile != null) {
            c.captureResult(structures, PortLink.FIS_OFFSET, link.read(PortRegister.TFD));
        }
        return true;
    }

    /** DIRQL: issues the isolated command. */
    private void issueIsolated() {
        AhciCommand c = isolationStarting;
        isolationStarting = null;
        isolationInterrupts = 0;
        isolating = c;
        c.writeHeader(structures, PortLink.LIST_OFFSET);
        if (c.callerTaskFile != null) {
            AhciCommand.clearD2hFis(structures, PortLink.FIS_OFFSET);
        }
        commandsIssued++;
        VarHandle.releaseFence();
        link.write(PortRegister.CI, 1 << c.index);
        history.record(RegisterHistory.Event.ISSUE, -1, -1, -1, -1, -1, 1 << c.index, -1);
    }

    /** DIRQL, from the ISR while a command runs alone: it finished or failed. */
    private void isolationInterrupt(int is, int ci) {
        isolationInterrupts |= is;
        if ((is & (PortIs.ERROR_MASK | PortLink.LINK_CHANGE)) != 0 || (ci & (1 << isolating.index)) == 0) {
            isolationDone = true;
            Thread w = isolationWaiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }
}
