package io.jahci.miniport;

import io.jahci.ahci.PortIs;
import io.jahci.ahci.PortRegister;
import io.jahci.ataport.ChannelRoutine;
import io.jahci.ataport.Verifier;
import io.jahci.hw.DeviceLostException;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The one command recovery runs alone (AHCI 1.3.1 §6.2.2: retry each command that was in a slot,
 * non-queued, to find whose error it was; and READ LOG EXT 10h), outside the port layer's queue,
 * which holds new requests while the port recovers. Part of the {@link SlotTable}: its fields follow
 * the table's lock rule (guarded by the interrupt lock, DIRQL), except {@link #done} and
 * {@link #waiter}, which the PASSIVE {@link #run} polls. Nothing here allocates.
 */
final class IsolatedCommand {
    private static final ChannelRoutine<AhciPort> ISSUE = port -> port.slotTable().isolated().issue();
    private static final ChannelRoutine<AhciPort> END = port -> port.slotTable().isolated().running = null;

    private final AhciPort port;
    private final PortLink link;
    private final RegisterHistory history;
    private final ByteBuffer structures;
    private final long commandNanos;
    private final SlotTable slots;

    private AhciCommand starting;
    private AhciCommand running;
    private int interrupts;
    private volatile boolean done;
    private volatile Thread waiter;
    private final BooleanSupplier finished = () -> done;

    IsolatedCommand(AhciPort port, PortLink link, RegisterHistory history, ByteBuffer structures, long commandNanos,
                    SlotTable slots) {
        this.port = port;
        this.link = link;
        this.history = history;
        this.structures = structures;
        this.commandNanos = commandNanos;
        this.slots = slots;
    }

    /** DIRQL: whether a command runs alone now (the ISR then hands its interrupt here). */
    boolean running() {
        return running != null;
    }

    /** DIRQL, when the controller is lost: {@link #run} stops waiting for the command. */
    void abandon() {
        if (running != null) {
            done = true;
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /**
     * Runs {@code c} alone in its own slot and waits for it, bypassing the port layer's queue
     * (which holds new requests while the port recovers). PASSIVE, from the recovery work item,
     * with every slot empty. Records the failure in {@code c} and returns false when it fails or
     * does not complete within the command timeout.
     */
    boolean run(AhciCommand c) {
        Verifier.mightSleep("IsolatedCommand.run");
        c.buildTable();
        done = false;
        waiter = Thread.currentThread();
        starting = c;
        port.channel().requestSynchronizedRoutine(ISSUE);
        long deadline = System.nanoTime() + commandNanos;
        if (port.channel().polling().mode().polls()) {
            port.channel().polling().awaitPolled(finished, commandNanos, TimeUnit.NANOSECONDS);
        }
        while (!done && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(this, deadline - System.nanoTime());
        }
        waiter = null;
        port.channel().requestSynchronizedRoutine(END);
        if (port.loss().isLost()) {
            throw new DeviceLostException(port.where() + ": " + port.loss().describe());
        }
        if (!done) {
            c.timedOut = true;
            link.snapshot(RegisterHistory.Event.TIMEOUT);
            return false;
        }
        int failed = interrupts & (PortIs.ERROR_MASK | PortLink.LINK_CHANGE);
        if (failed != 0) {
            c.errorInterrupts = failed;
            c.taskFile = link.read(PortRegister.TFD);
            link.snapshot(RegisterHistory.Event.ERROR);
            return false;
        }
        if (c.callerTaskFile != null) {
            c.captureResult(structures, PortLink.FIS_OFFSET, link.read(PortRegister.TFD));
        }
        return slots.checkTransferred(c);
    }

    /** DIRQL: issues the isolated command. */
    private void issue() {
        AhciCommand c = starting;
        starting = null;
        interrupts = 0;
        running = c;
        c.writeHeader(structures, PortLink.LIST_OFFSET);
        if (c.callerTaskFile != null) {
            AhciCommand.clearD2hFis(structures, PortLink.FIS_OFFSET);
        }
        slots.countIssued();
        VarHandle.releaseFence();
        try {
            link.write(PortRegister.CI, 1 << c.index);
        } catch (DeviceLostException e) {
            port.loss().lose(e.getMessage()); // runAlone sees it and hands it to recovery
            done = true;
            return;
        }
        history.record(RegisterHistory.Event.ISSUE, -1, -1, -1, -1, -1, 1 << c.index, -1);
    }

    /** DIRQL, from the ISR while a command runs alone: returns whether it finished or failed. */
    boolean interrupt(int is, int ci) {
        interrupts |= is;
        if ((is & (PortIs.ERROR_MASK | PortLink.LINK_CHANGE)) != 0 || (ci & (1 << running.index)) == 0) {
            done = true;
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
            return true;
        }
        return false;
    }
}
