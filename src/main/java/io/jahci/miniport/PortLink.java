package io.jahci.miniport;

import io.jahci.ahci.CommandHeader;
import io.jahci.ahci.DeviceSignature;
import io.jahci.ahci.HbaCapabilities;
import io.jahci.ahci.PortCmd;
import io.jahci.ahci.PortIs;
import io.jahci.ahci.PortRegister;
import io.jahci.ahci.PortSctl;
import io.jahci.ahci.PortSerr;
import io.jahci.ahci.PortSsts;
import io.jahci.ahci.PortTfd;
import io.jahci.ahci.ReceivedFis;
import io.jahci.fault.PortException;
import io.jahci.hw.DmaMemory;
import io.jahci.hw.RegisterWindow;

/**
 * One port's registers and the PASSIVE register sequences on them: the engines' start and stop
 * (AHCI 1.3.1 §10.3), COMRESET (§10.4.2), the waits for the link and the device, and the
 * signature. It keeps no state of its own besides the register history: what a sequence's result
 * means for the port's {@link PortState} is the caller's ({@link AhciPort}, {@link PortRecovery})
 * to decide.
 *
 * <p>Register access ({@link #read}, {@link #write}, {@link #snapshot}) is safe at any level and
 * allocates nothing; the sequences poll and sleep, so they run at PASSIVE only, with no lock held.
 */
final class PortLink {
    /** Interrupts the port enables (PxIE, §3.3.6): completions, errors and link changes. */
    static final int INTERRUPT_ENABLE = PortIs.DHRS.mask() | PortIs.PSS.mask() | PortIs.DSS.mask()
            | PortIs.SDBS.mask() | PortIs.UFS.mask() | PortIs.DPS.mask() | PortIs.PCS.mask() | PortIs.PRCS.mask()
            | PortIs.ERROR_MASK;
    /**
     * PxIE when the port polls for completions ({@link io.jahci.ataport.CompletionMode#polls}):
     * the completion interrupts (D2H Register, PIO Setup, DMA Setup, Set Device Bits, Descriptor
     * Processed) masked, errors, unknown FISes and link changes still on, so recovery and
     * hot-plug work as by interrupt. PxIS still latches the masked bits (§3.3.5).
     */
    static final int POLLED_INTERRUPT_ENABLE = INTERRUPT_ENABLE & ~(PortIs.DHRS.mask() | PortIs.PSS.mask()
            | PortIs.DSS.mask() | PortIs.SDBS.mask() | PortIs.DPS.mask());
    /** PxIS bits that say the link changed: a disk came or went (§10.9). */
    static final int LINK_CHANGE = PortIs.PCS.mask() | PortIs.PRCS.mask();
    /** The PxSERR bits behind {@link #LINK_CHANGE}: DIAG.X (PCS) and DIAG.N (PRCS), §3.3.5. */
    static final int LINK_CHANGE_SERR = PortSerr.DIAG_X.mask() | PortSerr.DIAG_N.mask();
    /** Layout of the port's structure block: command list, then received FIS. */
    static final int LIST_OFFSET = 0;
    static final int FIS_OFFSET = CommandHeader.LIST_SIZE;
    static final int STRUCTURES_BYTES = FIS_OFFSET + ReceivedFis.SIZE;
    private static final int BUSY = PortTfd.STS_BSY.mask() | PortTfd.STS_DRQ.mask();
    /** How often {@link #waitForDeviceReady} says that it still waits. */
    private static final long SPIN_UP_REPORT_NANOS = 2_000_000_000L;
    private static final System.Logger LOG = System.getLogger("io.jahci.miniport");

    private final String where;
    private final int number;
    private final RegisterWindow regs;
    private final HbaCapabilities caps;
    private final Timeouts timeouts;
    private final RegisterHistory history;
    /** Written at PASSIVE by the one thread that resets the port, read at any level. */
    private volatile long comresets;

    PortLink(String where, int number, RegisterWindow regs, HbaCapabilities caps, Timeouts timeouts,
             RegisterHistory history) {
        this.where = where;
        this.number = number;
        this.regs = regs;
        this.caps = caps;
        this.timeouts = timeouts;
        this.history = history;
    }

    int read(PortRegister reg) {
        return regs.read32(reg.offset(number));
    }

    void write(PortRegister reg, int value) {
        regs.write32(reg.offset(number), value);
    }

    /** Records every status register in the history. Any level. */
    void snapshot(RegisterHistory.Event event) {
        history.record(event, read(PortRegister.IS), read(PortRegister.CMD), read(PortRegister.TFD),
                read(PortRegister.SSTS), read(PortRegister.SERR), read(PortRegister.CI), read(PortRegister.SACT));
    }

    /** Clears every PxSERR and PxIS bit (both write-1-to-clear, §3.3.5, §3.3.10). Any level. */
    void clearErrorsAndInterrupts() {
        write(PortRegister.SERR, 0xffff_ffff);
        write(PortRegister.IS, 0xffff_ffff);
    }

    /**
     * The start of StartChannel, PASSIVE: stops the engines, programs the DMA structures (§10.1.2
     * steps 3, 5, 6), brings the link up (COMRESET once if it does not come, §10.4.2), waits for
     * the device and reads its signature. Leaves the command engine stopped.
     *
     * @return the state the port is in now: NO_DEVICE (no link), FAILED (engines or device do
     *     not answer), READY (an ATA disk or an ATAPI device) or UNSUPPORTED_DEVICE
     */
    PortState bringUp(DmaMemory structures) {
        try {
            stopEngines();
        } catch (PortException e) {
            return PortState.FAILED;
        }
        long list = structures.busAddress(LIST_OFFSET);
        long fis = structures.busAddress(FIS_OFFSET);
        write(PortRegister.CLB, (int) list);
        write(PortRegister.CLBU, (int) (list >>> 32));
        write(PortRegister.FB, (int) fis);
        write(PortRegister.FBU, (int) (fis >>> 32));
        write(PortRegister.CMD, read(PortRegister.CMD) | PortCmd.FRE.mask());
        clearErrorsAndInterrupts();
        int cmd = read(PortRegister.CMD);
        if (caps.supportsStaggeredSpinUp() || PortCmd.CPD.isSet(cmd)) {
            write(PortRegister.CMD, cmd | PortCmd.SUD.mask() | PortCmd.POD.mask());
        }
        if (!waitForLink() && !(comreset() && waitForLink())) {
            snapshot(RegisterHistory.Event.START);
            return PortState.NO_DEVICE;
        }
        if (!waitForDeviceReady() && !(comreset() && waitForLink() && waitForDeviceReady())) {
            snapshot(RegisterHistory.Event.ERROR);
            return PortState.FAILED;
        }
        return drivable(signature()) ? PortState.READY : PortState.UNSUPPORTED_DEVICE;
    }

    /** Whether jahci drives a device of this class: an ATA disk or an ATAPI (packet) device. */
    static boolean drivable(DeviceSignature signature) {
        return signature == DeviceSignature.ATA || signature == DeviceSignature.ATAPI;
    }

    /** COMRESETs sent since the port was made. Any level. */
    long comresets() {
        return comresets;
    }

    /**
     * IdeHwInitialize's registers, at DIRQL or DISPATCH: clears stale status, enables the port's
     * interrupts ({@code interruptEnable}: {@link #INTERRUPT_ENABLE} or
     * {@link #POLLED_INTERRUPT_ENABLE}) and, with a device present, starts the command engine
     * (§10.3.1). Only register writes: it neither blocks nor sleeps.
     */
    void initialize(boolean startEngine, int interruptEnable) {
        clearErrorsAndInterrupts();
        write(PortRegister.IE, interruptEnable);
        if (startEngine) {
            startEngine();
        }
        snapshot(RegisterHistory.Event.START);
    }

    /** StopChannel's registers, PASSIVE: interrupts off, command and FIS engines stopped, PxIS cleared. */
    void stop() throws PortException {
        write(PortRegister.IE, 0);
        stopEngines();
        write(PortRegister.IS, 0xffff_ffff);
        snapshot(RegisterHistory.Event.STOP);
    }

    /** PxSIG as read now (§3.3.9). */
    DeviceSignature signature() {
        return DeviceSignature.of(read(PortRegister.SIG));
    }

    /**
     * Waits for PxSSTS.DET=3. Gives up early when DET stays 0 (nothing attached) for
     * {@link Timeouts#presenceMillis()}, so empty ports cost little. PASSIVE.
     */
    boolean waitForLink() {
        long start = System.nanoTime();
        long presenceNanos = timeouts.presenceMillis() * 1_000_000L;
        Poll.until(timeouts.linkUpMillis(), () -> {
            int det = PortSsts.DET.get(read(PortRegister.SSTS));
            return det == PortSsts.DET_PRESENT_PHY
                    || det == PortSsts.DET_NONE && System.nanoTime() - start > presenceNanos;
        });
        return linkUp();
    }

    /** PxSSTS.DET=3: a device is present and the PHY is up. Any level. */
    boolean linkUp() {
        return PortSsts.DET.get(read(PortRegister.SSTS)) == PortSsts.DET_PRESENT_PHY;
    }

    /** PxTFD.STS.BSY or DRQ set: the device is still working on something. Any level. */
    boolean deviceBusy() {
        return (read(PortRegister.TFD) & BUSY) != 0;
    }

    /**
     * Waits for BSY and DRQ to clear, up to {@link Timeouts#deviceReadyMillis()}, saying every
     * {@link #SPIN_UP_REPORT_NANOS} that it still waits (a disk spinning up takes seconds). PASSIVE.
     */
    boolean waitForDeviceReady() {
        long start = System.nanoTime();
        long[] nextReport = {SPIN_UP_REPORT_NANOS};
        return Poll.until(timeouts.deviceReadyMillis(), () -> {
            if (!deviceBusy()) {
                return true;
            }
            long waited = System.nanoTime() - start;
            if (waited >= nextReport[0]) {
                nextReport[0] += SPIN_UP_REPORT_NANOS;
                LOG.log(System.Logger.Level.INFO, String.format("%s: the device is still busy (PxTFD %s), spinning "
                        + "up: waited %.0f s of at most %.0f s", where, PortTfd.describe(read(PortRegister.TFD)),
                        waited / 1e9, timeouts.deviceReadyMillis() / 1e3));
            }
            return false;
        });
    }

    /**
     * COMRESET (§10.4.2): with ST clear, hold PxSCTL.DET=1 for at least 1 ms, release it, wait for
     * the link. Returns whether the link came back. PASSIVE.
     */
    boolean comreset() {
        try {
            stopCommandEngine();
        } catch (PortException e) {
            return false;
        }
        int sctl = read(PortRegister.SCTL);
        write(PortRegister.SCTL, PortSctl.DET.with(sctl, PortSctl.DET_COMRESET));
        Poll.sleepMillis(timeouts.comresetHoldMillis());
        write(PortRegister.SCTL, PortSctl.DET.with(sctl, PortSctl.DET_NO_ACTION));
        boolean up = waitForLink();
        write(PortRegister.SERR, 0xffff_ffff);
        comresets++;
        snapshot(RegisterHistory.Event.COMRESET);
        return up;
    }

    /** Sets PxCMD.ST once the device is idle (§10.3.1: FRE set, BSY and DRQ clear, DET=3). Any level. */
    void startEngine() {
        write(PortRegister.CMD, read(PortRegister.CMD) | PortCmd.FRE.mask() | PortCmd.ST.mask());
    }

    /** Clears ST and waits for CR (§10.3.2); this also clears PxCI and PxSACT. PASSIVE. */
    void stopCommandEngine() throws PortException {
        int cmd = read(PortRegister.CMD);
        if (PortCmd.ST.isSet(cmd)) {
            write(PortRegister.CMD, cmd & ~PortCmd.ST.mask());
        }
        if (!Poll.until(timeouts.portStopMillis(), () -> !PortCmd.CR.isSet(read(PortRegister.CMD)))) {
            throw stuck("PxCMD.CR stays set after clearing ST");
        }
    }

    /** Puts the port in the idle state: ST, CR, FRE, FR all clear (§10.1.2 step 3). PASSIVE. */
    void stopEngines() throws PortException {
        stopCommandEngine();
        int cmd = read(PortRegister.CMD);
        if (PortCmd.FRE.isSet(cmd)) {
            write(PortRegister.CMD, cmd & ~PortCmd.FRE.mask());
        }
        if (!Poll.until(timeouts.portStopMillis(), () -> !PortCmd.FR.isSet(read(PortRegister.CMD)))) {
            throw stuck("PxCMD.FR stays set after clearing FRE");
        }
    }

    private PortException stuck(String what) {
        snapshot(RegisterHistory.Event.ERROR);
        return new PortException(where + ": " + what + " within " + timeouts.portStopMillis()
                + " ms (AHCI 1.3.1 §10.1.2); the controller does not answer: reset it (unbind and rebind) "
                + "or power-cycle the machine.\n" + history.dump());
    }

    /** Why bring-up failed, for the controller's warnings. */
    String startFailure() {
        return where + ": the device stays busy (PxTFD " + PortTfd.describe(read(PortRegister.TFD))
                + ") after COMRESET, or the engines do not stop; check the cable and power, or try another port.\n"
                + history.dump();
    }
}
