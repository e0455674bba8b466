package io.jahci.miniport;

import io.jahci.ahci.CommandHeader;
import io.jahci.ahci.DeviceSignature;
import io.jahci.ahci.HbaCapabilities;
import io.jahci.ahci.IdentifyData;
import io.jahci.ahci.PortRegister;
import io.jahci.ataport.Channel;
import io.jahci.ataport.ChannelRoutine;
import io.jahci.ataport.IoStatus;
import io.jahci.ataport.PortDriver;
import io.jahci.ataport.WorkItemCallback;
import io.jahci.ataport.Worker;
import io.jahci.fault.NoDeviceException;
import io.jahci.fault.PortException;
import io.jahci.hw.DeviceLostException;
import io.jahci.hw.DmaMemory;
import io.jahci.hw.Transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One AHCI port as an ATA channel: the channel extension the port layer passes to every
 * {@link AhciMiniport} callback. It owns the port's state, its DMA structures and its disk's
 * identity, and hands the work to four parts, split by responsibility as StorAHCI splits its files:
 * {@link PortLink} (PASSIVE register sequences: engines, COMRESET, link and device waits,
 * signature), {@link SlotTable} (the command slots and all else guarded at DIRQL by the interrupt
 * lock: issue, ISR, completion, deadline check, recovery's hand-over), {@link PortIo} (the caller's
 * reads, writes, FUA, flush, any non-queued command as a task file, IDENTIFY and the disk's
 * geometry, failure messages) and {@link PortRecovery} (the cause captured once, a pure verdict per
 * command, then the actions).
 *
 * <p>Its states and their changes are drawn, with their table, in {@link PortState}; every change
 * goes through {@link #enter}, which checks it against that table.
 *
 * <p>Locks and levels: bring-up and recovery run at PASSIVE (they poll and sleep). The ISR,
 * StartIo's slot assignment, the timer's deadline check and recovery's slot hand-over run at DIRQL
 * under the interrupt lock, which guards every field of {@link SlotTable}. Callers submit at
 * PASSIVE. The state and the disk's identity are volatile, written at PASSIVE (bring-up,
 * recovery, StopChannel) and read at any level.
 */
public final class AhciPort {
    /** The recovery work item (HW_WORKITEM), run at PASSIVE. */
    private static final WorkItemCallback<AhciHba> RECOVER = (hba, context, worker) -> ((AhciPort) context).recoverUnlessStopping();
    /** Requested from the ISR or the timer, run at DISPATCH: queues the recovery work item. */
    private static final ChannelRoutine<AhciPort> QUEUE_RECOVERY =
            port -> port.portDriver.queueWorkItem(port.recoveryWorker, RECOVER, port);

    /** Fails every command in a slot because the controller is lost; DIRQL, see {@link SlotTable#failLost}. */
    /**
     * How long StopChannel waits for a running recovery before it fails instead of hanging: longer
     * than a recovery's own bounded steps (link and device-ready waits, one command's timeout).
     */
    private static final long RECOVERY_STOP_MILLIS = 60_000;
    private static final ChannelRoutine<AhciPort> FAIL_LOST = port -> port.slots.failLost();

    private final String device;
    private final int number;
    private final ControllerLoss loss;
    private final HbaCapabilities caps;
    private final RegisterHistory history = new RegisterHistory();
    private final DmaMemory structures;
    private final PortLink link;
    private final PortIo io;
    private final CommandPool pool;
    /** Reads the NCQ error log during recovery, in slot 0 while every slot is empty. */
    private final AhciCommand logCommand;
    private final SlotTable slots;
    private final PortRecovery recovery;
    private final PortSleep sleep;
    private final PortCounters counters;

    private Channel<AhciPort> channel;
    private PortDriver<AhciHba> portDriver;
    private Worker recoveryWorker;
    /** Set by StopChannel: a recovery work item that starts after it does nothing. */
    private volatile boolean stopping;
    private Consumer<AhciPort> arrivalListener = port -> { };

    private volatile PortState state = PortState.STOPPED;
    private volatile DeviceSignature signature = DeviceSignature.UNKNOWN;
    private volatile IdentifyData identity;

    /** The data buffer of the port's log command (READ LOG EXT after an NCQ error: one 512-byte page, 4 KiB aligned). */
    static final int LOG_BUFFER_BYTES = 4096;

    AhciPort(String device, int number, Transport transport, HbaCapabilities caps, AhciPortOptions options,
             ControllerLoss loss) throws IOException {
        this.device = device;
        this.number = number;
        this.loss = loss;
        this.caps = caps;
        this.link = new PortLink(where(), number, transport.abar(), caps, options.timeouts(), history);
        this.structures = transport.allocateDma(PortLink.STRUCTURES_BYTES, CommandHeader.LIST_ALIGNMENT);
        this.io = new PortIo(this, transport, options);
        this.pool = io.pool();
        try {
            pool.setDepth(1);
            this.logCommand = new AhciCommand(0, transport, options.withBufferBytesPerCommand(LOG_BUFFER_BYTES), request -> { });
        } catch (IOException | RuntimeException e) {
            pool.releaseMemory();
            structures.close();
            throw e;
        }
        this.slots = new SlotTable(this, link, history, structures.buffer(), options.timeouts().commandMillis(),
                transport.registerAccessNanos(), QUEUE_RECOVERY);
        this.recovery = new PortRecovery(this, link, slots, logCommand);
        this.sleep = new PortSleep(where(), link, history);
        this.counters = new PortCounters(link, slots, recovery, sleep);
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

    /**
     * The identity of the disk on the port, or NoDeviceException while there is none: removed, or
     * arriving and not identified yet (the state may say READY or RECOVERING meanwhile). Any level.
     */
    IdentifyData identified() throws NoDeviceException {
        IdentifyData id = identity;
        if (id == null) {
            throw new NoDeviceException(where() + ": no identified disk: it was removed, or the one arriving is "
                    + "not identified yet.");
        }
        return id;
    }

    /** The device's IDENTIFY DEVICE data, or null when the port has no ATA disk. */
    public IdentifyData identity() {
        return identity;
    }

    public int sectorSize() {
        return io.sectorSize();
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
        return io.usesNcq();
    }

    /** The register history, for diagnostics. */
    public String history() {
        return history.dump();
    }

    /** Reads one of this port's registers as it is now (reads have no side effects in AHCI 1.3.1 §3.3). Any level. */
    public int readRegister(PortRegister reg) {
        return link.read(reg);
    }

    /** What the port has counted since it was made: commands, retries, resets, interrupts. Any level. */
    public PortCounters counters() {
        return counters;
    }

    /** The largest number of sectors one command moves; larger transfers are split. */
    public int maxSectorsPerCommand() {
        return io.maxSectorsPerCommand();
    }

    /** The most bytes one command moves: what one DMA buffer and its scatter list hold. */
    public int maxTransferBytes() {
        return io.maxSectorsPerCommand() * io.sectorSize();
    }

    Channel<AhciPort> channel() {
        return channel;
    }

    /**
     * A caller's wait for its own commands until {@code done} is true, bounded by {@code timeout}:
     * by interrupt this thread services the port's interrupt meanwhile when no other thread waits
     * on it ({@link Channel#awaitTakingInterrupt}); in a polling mode it polls
     * ({@link io.jahci.ataport.ChannelPolling#awaitPolled}). {@code done} must turn true in a
     * command's completion. PASSIVE; allocates nothing.
     *
     * @return whether {@code done} is true; false when this thread could not take the interrupt (the
     *     caller then blocks on what the completion signals) or the timeout passed
     */
    public boolean awaitCompletions(BooleanSupplier done, long timeout, TimeUnit unit) {
        if (completionsPolled()) {
            return channel.polling().awaitPolled(done, timeout, unit);
        }
        return channel.awaitTakingInterrupt(done, timeout, unit);
    }

    /** Whether the port's completions are polled rather than taken from the interrupt. Any level. */
    public boolean completionsPolled() {
        return channel.polling().mode().polls();
    }

    /** Whether the controller is lost, and why; shared by every port of the HBA. */
    ControllerLoss loss() {
        return loss;
    }

    /**
     * The controller was found lost (on any thread, at any level): fails this port's commands in
     * flight, under the interrupt lock (inline when the caller already holds it). Before the port
     * layer runs the port, there is nothing in flight.
     */
    void controllerLost() {
        if (channel != null && channel.isStarted()) {
            channel.requestSynchronizedRoutine(FAIL_LOST);
        }
    }

    SlotTable slotTable() {
        return slots;
    }

    PortRecovery recovery() {
        return recovery;
    }

    PortSleep sleep() {
        return sleep;
    }

    /**
     * Whether the device is in SLEEP: SLEEP completed and no command has brought it back yet (the next
     * one will, with a COMRESET). Any level, one volatile read.
     */
    public boolean asleep() {
        return sleep.asleep();
    }

    String where() {
        return device + " port " + number;
    }

    // ---------------------------------------------------------------- state

    /**
     * The one way the state changes: checks {@code next} against {@link PortState}'s table.
     * PASSIVE (bring-up, recovery, StopChannel).
     *
     * @throws IllegalStateException naming both states if the table does not allow the change
     */
    void enter(PortState next) {
        PortState now = state;
        if (!now.mayBecome(next)) {
            throw new IllegalStateException(where() + ": illegal port state change " + now + " -> " + next
                    + " (see the table in PortState)");
        }
        state = next;
    }

    /**
     * Reads PxSIG and enters READY for an ATA disk or an ATAPI device, else UNSUPPORTED_DEVICE.
     * PASSIVE. Returns whether READY.
     */
    boolean readSignature() {
        signature = link.signature();
        enter(PortLink.drivable(signature) ? PortState.READY : PortState.UNSUPPORTED_DEVICE);
        return state == PortState.READY;
    }

    /** The disk went away: no identity until the next one is identified. PASSIVE. */
    void forgetDisk() {
        identity = null;
    }

    /** Tells the arrival listener a disk appeared and was identified. PASSIVE, work-item thread. */
    void announceArrival() {
        arrivalListener.accept(this);
    }

    // ---------------------------------------------------------------- bring-up and stop (PASSIVE)

    /**
     * Control(StartChannel). Runs at PASSIVE: {@link PortLink#bringUp} stops the engines, programs
     * the DMA structures, brings the link up, waits for the device and reads its signature. Leaves
     * the command engine stopped; {@link #initialize()} starts it.
     *
     * @return false if the port's engines or device would not answer (state FAILED)
     */
    boolean startChannel() {
        if (recoveryWorker.state() == Worker.State.FREE) {   // a channel started again after StopChannel
            recoveryWorker = portDriver.initializeWorker();
        }
        stopping = false;
        PortState result = link.bringUp(structures);
        if (result == PortState.READY || result == PortState.UNSUPPORTED_DEVICE) {
            signature = link.signature();
        }
        enter(result);
        return result != PortState.FAILED;
    }

    /** Why {@link #startChannel()} failed, for the controller's warnings. */
    String startFailure() {
        return link.startFailure();
    }

    /**
     * IdeHwInitialize. Runs at DIRQL (SyncWithIsr) or DISPATCH: clears stale status, enables the
     * port's interrupts and, with a device present, starts the command engine (§10.3.1). Only
     * register writes: it neither blocks nor sleeps.
     */
    boolean initialize() {
        link.initialize(state == PortState.READY || state == PortState.UNSUPPORTED_DEVICE,
                channel.polling().mode().polls() ? PortLink.POLLED_INTERRUPT_ENABLE : PortLink.INTERRUPT_ENABLE);
        return true;
    }

    /**
     * Reads IDENTIFY DEVICE (ACS-3 §7.12), takes the sector size from it and sizes the queue:
     * NCQ when HBA, disk and options allow it, with depth min(CAP.NCS, the disk's depth, the
     * option). PASSIVE, with the channel started and no command in flight.
     */
    void identify() throws PortException {
        IdentifyData id = io.identify(caps);
        checkReachable();
        identity = id;
    }

    /** Control(StopChannel). PASSIVE: interrupts off, command and FIS engines stopped. */
    boolean stopChannel() {
        // Free the recovery worker before the engines stop, after a recovery that is running (it may
        // still call the channel's services, which end with StopChannel); one queued after this
        // point returns at once, so no work item touches the port once the channel is STOPPED.
        stopping = true;
        portDriver.freeWorkerWhenIdle(recoveryWorker, RECOVERY_STOP_MILLIS, TimeUnit.MILLISECONDS);
        if (loss.isLost()) {
            enter(PortState.STOPPED); // nothing to stop: the controller is gone or cut off from memory
            return true;
        }
        try {
            link.stop();
        } catch (PortException e) {
            enter(PortState.FAILED);
            return false;
        } catch (DeviceLostException e) {
            loss.lose(e.getMessage());
            enter(PortState.STOPPED);
            return true;
        }
        enter(PortState.STOPPED);
        return true;
    }

    void release() {
        logCommand.release();
        pool.releaseMemory();
        structures.close();
    }

    // ---------------------------------------------------------------- caller side (PASSIVE)

    /** The caller's reads, writes, flush and task-file commands on this port (PASSIVE). */
    public PortIo io() {
        return io;
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
     * command may not join those in flight ({@link SlotTable#issue}). Allocates nothing.
     */
    boolean startIo(AhciCommand c) {
        if (loss.isLost()) {
            c.lost = true;
            channel.completeRequest(c.request, IoStatus.ERROR);
            return true;
        }
        PortState s = state;
        if (s == PortState.RECOVERING) {
            return false;
        }
        if (s != PortState.READY) {
            c.outcome = where() + " is " + s + (s == PortState.NO_DEVICE ? ": the disk was removed." : ".");
            channel.completeRequest(c.request, IoStatus.ERROR);
            return true;
        }
        return slots.issue(c);
    }

    /** IdeHwInterrupt's part for this port: see {@link SlotTable#interrupt}. DIRQL. */
    boolean interrupt() {
        return slots.interrupt();
    }

    /**
     * IdeHwReset, at DIRQL or DISPATCH holding the channel lock: asks the recovery work item for a
     * COMRESET; commands in flight are retried after it.
     */
    void reset() {
        slots.requestReset();
    }

    /** The recovery work item's body, PASSIVE: recovers the port unless StopChannel has begun. */
    private void recoverUnlessStopping() {
        if (!stopping) {
            recovery.recover();
        }
    }

    /** Initializes the recovery worker (StorPortInitializeWorker). PASSIVE, at channel start. */
    void initializeRecoveryWorker() {
        recoveryWorker = portDriver.initializeWorker();
    }
}
