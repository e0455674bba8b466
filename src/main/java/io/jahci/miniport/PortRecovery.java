package io.jahci.miniport;

import io.jahci.ahci.AtaCommand;
import io.jahci.ahci.IdentifyData;
import io.jahci.ahci.NcqErrorLog;
import io.jahci.ahci.PortRegister;
import io.jahci.ahci.PortSsts;
import io.jahci.ahci.PortTfd;
import io.jahci.ataport.Channel;
import io.jahci.ataport.ChannelRoutine;
import io.jahci.ataport.IoStatus;
import io.jahci.fault.Fault;
import io.jahci.fault.PortException;
import io.jahci.hw.DeviceLostException;

/**
 * A port's error recovery, AHCI 1.3.1 §6.2.2, as drawn in {@link AhciPort}'s diagram, in three
 * steps: the cause is captured once ({@link RecoveryCause}, taken at DIRQL with the slots); the
 * port is restarted (COMRESET when the cause needs it); then the course of the whole recovery
 * ({@link #course}) and each command's fate ({@link #verdict}) are decided by pure functions, and
 * carried out. The work item runs at PASSIVE with no port lock held; it reaches the slot table
 * only through synchronized routines.
 */
final class PortRecovery {
    /** What recovery does with one command that was in a slot. */
    enum Verdict {
        /** It was past its deadline: it fails as timed out. */
        FAIL_TIMED_OUT,
        /** It was the only command, non-queued, and an error was flagged: it fails with PxTFD's status. */
        FAIL_WITH_STATUS,
        /** The NCQ error log names its tag: it fails with the log's status. */
        FAIL_AS_LOGGED,
        /** Nothing says whose error it was: it is retried alone, non-queued. */
        RETRY_ALONE
    }

    /** What recovery does once the port was restarted. */
    enum Course {
        /** No link: the disk went away; every command fails, the port waits for a new disk. */
        REMOVED,
        /** The port could not be restarted: every command fails. */
        FAIL_ALL,
        /** The disk is still there: each command meets its {@link Verdict}. */
        SETTLE,
        /** There was no disk before: bring up the new one and announce it. */
        ARRIVED
    }

    private static final ChannelRoutine<AhciPort> TAKE_SLOTS = port -> port.slotTable().takeSlots(port.recovery().cause);
    private static final ChannelRoutine<AhciPort> END_RECOVERY = port -> port.slotTable().endRecovery();

    private final AhciPort port;
    private final PortLink link;
    private final SlotTable slots;
    /** Reads the NCQ error log during recovery, in slot 0 while every slot is empty. */
    private final AhciCommand logCommand;
    private final RecoveryCause cause = new RecoveryCause();
    private volatile long commandsRetried;

    PortRecovery(AhciPort port, PortLink link, SlotTable slots, AhciCommand logCommand) {
        this.port = port;
        this.link = link;
        this.slots = slots;
        this.logCommand = logCommand;
    }

    /** Commands retried alone after an error, a link change or a reset. Any level. */
    long commandsRetried() {
        return commandsRetried;
    }

    /**
     * The fate of the command taken from {@code slot}; {@code log} is the NCQ error log when the
     * device named the failing tag, else null. Pure.
     */
    static Verdict verdict(RecoveryCause cause, int slot, NcqErrorLog log) {
        if (cause.timedOut(slot)) {
            return Verdict.FAIL_TIMED_OUT;
        }
        if (cause.unambiguous() && cause.errors != 0) {
            return Verdict.FAIL_WITH_STATUS;
        }
        if (log != null && log.tag() == slot) {
            return Verdict.FAIL_AS_LOGGED;
        }
        return Verdict.RETRY_ALONE;
    }

    /**
     * The course of recovery after the restart: {@code linkUp} is PxSSTS.DET=3 now, {@code after}
     * the state the restart left (READY, FAILED, or still RECOVERING when it found no link),
     * {@code before} the port's state when recovery began. A link that the restart found gone
     * counts as removed even if it is back by now (it bounced): the commands fail, and the link
     * change brings the disk up again as an arrival; deciding by the later read alone would settle
     * commands on a port that was never restarted. Pure.
     */
    static Course course(boolean linkUp, PortState after, PortState before) {
        if (!linkUp || after == PortState.RECOVERING) {
            return Course.REMOVED;
        }
        if (after == PortState.FAILED) {
            return Course.FAIL_ALL;
        }
        return before == PortState.READY || before == PortState.RECOVERING ? Course.SETTLE : Course.ARRIVED;
    }

    /**
     * The recovery work item, PASSIVE with no port lock held: takes every command out of its slot,
     * restarts the port (COMRESET when needed), then settles each command as drawn in
     * {@link AhciPort}'s diagram, and lets waiting requests start. A disk that disappeared fails
     * every command with "removed"; one that appeared is brought up and identified.
     */
    void recover() {
        PortState before = port.state();
        port.enter(PortState.RECOVERING);
        Channel<AhciPort> channel = port.channel();
        channel.requestSynchronizedRoutine(TAKE_SLOTS);
        try {
            recoverTaken(before);
        } catch (DeviceLostException e) {
            // A register access timed out, read all ones, or the engine would not stop (then bus
            // mastering is off): the commands still taken fail as lost, once.
            port.loss().lose(e.getMessage());
            failAllLost();
            port.enter(PortState.FAILED);
        } finally {
            channel.requestSynchronizedRoutine(END_RECOVERY);
            channel.requestNextRequest();
        }
    }

    /** {@link #recover()} once the slots are taken; throws DeviceLostException when the controller is lost. */
    private void recoverTaken(PortState before) {
        int tfd = link.read(PortRegister.TFD);
        link.snapshot(cause.timeouts != 0 ? RegisterHistory.Event.TIMEOUT : RegisterHistory.Event.ERROR);
        if (cause.storm && slots.interruptStorms() >= InterruptStorm.MAX_STORMS) {
            giveUpAfterStorms();
            return;
        }
        NcqErrorLog log = null;
        String outcome;
        if (cause.ncqErrorOnly()) {
            // §6.2.2.2: restart the engine without a reset and ask the device which tag failed.
            outcome = restart(false);
            log = port.state() == PortState.READY ? readNcqErrorLog() : null;
            if (log == null) {
                outcome = restart(true);
            }
        } else {
            outcome = restart(cause.mustComreset());
        }
        if (cause.storm && port.state() == PortState.READY) {
            link.write(PortRegister.IE, PortLink.INTERRUPT_ENABLE); // the reset cleared what kept firing
        }
        switch (course(link.linkUp(), port.state(), before)) {
            case REMOVED -> removed();
            case FAIL_ALL -> failAll(outcome);
            case SETTLE -> settle(tfd, outcome, log);
            case ARRIVED -> arrived();
        }
    }

    /**
     * READ LOG EXT of the NCQ Command Error log (10h), run alone in slot 0. Returns the log when
     * the device answered with a queued command's tag; null when the device has no such log
     * (QEMU's answers ABRT) or the log names no queued command: recovery then resets the port and
     * finds the failing command by retrying each one alone. PASSIVE.
     */
    private NcqErrorLog readNcqErrorLog() {
        logCommand.prepare(AtaCommand.READ_LOG_EXT, NcqErrorLog.LOG_ADDRESS, 1, IdentifyData.SIZE, false);
        if (!slots.runAlone(logCommand)) {
            return null;
        }
        NcqErrorLog log = NcqErrorLog.parse(logCommand.data(), 0);
        return log.nonQueued() ? null : log;
    }

    /**
     * Stop the command engine, clear PxSERR and PxIS, COMRESET when the device stays busy or
     * {@code forceComreset}, restart (§6.2.2.1). Enters READY or FAILED; leaves the state as it is
     * when the link is gone. Returns a sentence for error messages.
     */
    private String restart(boolean forceComreset) {
        try {
            link.stopCommandEngine();
            link.clearErrorsAndInterrupts();
            boolean needComreset = forceComreset || link.deviceBusy();
            if (needComreset && !(link.comreset() && link.waitForDeviceReady())) {
                if (!link.linkUp()) {
                    return "The disk is gone (no link after COMRESET).";
                }
                port.enter(PortState.FAILED);
                link.snapshot(RegisterHistory.Event.ERROR);
                return "The port could not be recovered (device busy after COMRESET): restart the controller.";
            }
            link.startEngine();
            link.snapshot(RegisterHistory.Event.RECOVERED);
            port.enter(PortState.READY);
            return "The port was recovered and accepts new commands.";
        } catch (PortException e) {
            // The engine did not stop: its commands may still move data, so none may fail yet.
            throw port.loss().stopDma(e.getMessage());
        }
    }

    /**
     * The port's interrupts kept storming after {@link InterruptStorm#MAX_STORMS} resets: its
     * command engine is stopped (CR seen clear, or bus mastering turned off), its interrupts stay
     * masked, its commands fail and it is FAILED. The other ports are not touched. PASSIVE.
     */
    private void giveUpAfterStorms() {
        try {
            link.stopCommandEngine();
        } catch (PortException e) {
            throw port.loss().stopDma(e.getMessage());
        }
        port.enter(PortState.FAILED);
        for (int i = 0; i < cause.count; i++) {
            cause.commands[i].fault = Fault.INTERRUPT_STORM;
        }
        failAll(port.where() + ": its interrupts kept firing with nothing to do (" + InterruptStorm.MAX_STORMS
                + " interrupt storms; a PxIS bit that cannot be cleared?), so they stay masked and the port is given up."
                + " Restart the controller; if it comes back, the HBA is faulty.");
    }

    /** Carries out each taken command's {@link #verdict}. PASSIVE. */
    private void settle(int tfd, String outcome, NcqErrorLog log) {
        Channel<AhciPort> channel = port.channel();
        for (int i = 0; i < cause.count; i++) {
            AhciCommand c = cause.commands[i];
            c.outcome = outcome;
            switch (verdict(cause, c.index, log)) {
                case FAIL_TIMED_OUT -> {
                    c.timedOut = true;
                    channel.completeRequest(c.request, IoStatus.ERROR);
                }
                case FAIL_WITH_STATUS -> {
                    c.errorInterrupts = cause.errors;
                    c.taskFile = tfd;
                    channel.completeRequest(c.request, IoStatus.ERROR);
                }
                case FAIL_AS_LOGGED -> {
                    c.errorInterrupts = cause.errors;
                    c.taskFile = PortTfd.ERR.with(PortTfd.STS.with(0, log.status()), log.error());
                    c.outcome = "The NCQ error log named it (tag " + log.tag() + "); " + outcome;
                    channel.completeRequest(c.request, IoStatus.ERROR);
                }
                case RETRY_ALONE -> retryAlone(c);
            }
            cause.commands[i] = null; // completed: a lost controller found later leaves it alone
        }
        cause.count = 0;
    }

    /** Retries {@code c} alone as a non-queued command and completes it with the result. PASSIVE. */
    private void retryAlone(AhciCommand c) {
        commandsRetried++;
        c.makeNonQueued();
        if (slots.runAlone(c)) {
            port.channel().completeRequest(c.request, IoStatus.SUCCESS);
            return;
        }
        c.outcome = (c.timedOut ? "Retried alone, it timed out; " : "Retried alone, it failed again; ")
                + restart(c.timedOut);
        port.channel().completeRequest(c.request, IoStatus.ERROR);
    }

    private void failAll(String outcome) {
        for (int i = 0; i < cause.count; i++) {
            AhciCommand c = cause.commands[i];
            c.outcome = outcome;
            port.channel().completeRequest(c.request, IoStatus.ERROR);
            cause.commands[i] = null;
        }
        cause.count = 0;
    }

    /** The controller is lost: every taken command not completed yet fails as lost. PASSIVE. */
    private void failAllLost() {
        for (int i = 0; i < cause.count; i++) {
            AhciCommand c = cause.commands[i];
            if (c != null) {
                c.lost = true;
                port.channel().completeRequest(c.request, IoStatus.ERROR);
                cause.commands[i] = null;
            }
        }
        cause.count = 0;
    }

    /** The disk went away: every command fails, the port waits for a new one. PASSIVE. */
    private void removed() {
        port.enter(PortState.NO_DEVICE);
        port.forgetDisk();
        link.snapshot(RegisterHistory.Event.STOP);
        failAll(port.where() + ": the disk was removed (the link dropped; PxSSTS.DET="
                + PortSsts.DET.get(link.read(PortRegister.SSTS)) + " now).");
    }

    /** A disk appeared on an empty port: bring it up, identify it, announce it. PASSIVE. */
    private void arrived() {
        if (!link.waitForDeviceReady()) {
            port.enter(PortState.FAILED);
            return;
        }
        if (!port.readSignature()) {
            return;
        }
        port.channel().requestSynchronizedRoutine(END_RECOVERY);
        try {
            port.identify();
            port.announceArrival();
        } catch (PortException e) {
            port.enter(PortState.FAILED);
        }
    }
}
