package io.jahci.chip;

import io.jahci.ahci.Cap;
import io.jahci.ahci.Ghc;
import io.jahci.ahci.HbaCapabilities;
import io.jahci.ahci.HbaRegister;
import io.jahci.ahci.PortCmd;
import io.jahci.ahci.PortIs;
import io.jahci.ahci.PortRegister;
import io.jahci.ahci.PortSctl;
import io.jahci.ahci.PortSerr;
import io.jahci.ahci.PortSsts;
import io.jahci.ahci.PortTfd;
import io.jahci.hw.RegisterWindow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.LongToIntFunction;

/**
 * The ABAR of the chip a {@link ChipProfile} describes, built on QEMU's {@code ich9-ahci}: reads of
 * CAP, CAP2, PI, VS, IS and of the link registers of ports the profile wires differently are answered
 * from the profile and this shim's state; everything else goes to QEMU, which does the work. Writes
 * that the chip would not accept throw {@link ProfileViolation} and never reach QEMU.
 *
 * <p>State kept here, all under this object's monitor:
 * <table>
 *   <caption>the shim's state and what changes it</caption>
 *   <tr><th>state</th><th>set by</th><th>cleared by</th></tr>
 *   <tr><td>GHC.AE</td><td>a GHC write with AE, or CAP.SAM</td><td>GHC.HR (unless SAM), §3.1.2</td></tr>
 *   <tr><td>GHC.IE</td><td>a GHC write with IE</td><td>a GHC write without it, GHC.HR</td></tr>
 *   <tr><td>PI, CAP's SSS/SMPS (resetClearsPi)</td><td>software writing back the firmware's values</td><td>GHC.HR</td></tr>
 *   <tr><td>IS (stickyIs)</td><td>a read of IS that finds QEMU's bit set</td><td>writing 1 to the bit (RWC, §3.1.3), GHC.HR</td></tr>
 *   <tr><td>PxCMD.SUD (CAP.SSS)</td><td>a PxCMD write with SUD (§3.3.7)</td><td>GHC.HR</td></tr>
 *   <tr><td>BSY until (spin-up)</td><td>GHC.HR, SUD rising, COMRESET released (PxSCTL.DET 1 to 0), plug</td><td>time</td></tr>
 *   <tr><td>unplugged</td><td>{@link #unplug}</td><td>{@link #plug}</td></tr>
 *   <tr><td>PxSERR.DIAG.N / X (PxIS.PRCS / PCS)</td><td>unplug (N), plug (N and X)</td><td>writing 1 to the PxSERR bit:
 *       PRCS and PCS are read-only in PxIS (§3.3.5), so writing PxIS does not clear them</td></tr>
 * </table>
 *
 * <p>Thread safe: every access holds the monitor, including QEMU's round trip.
 */
final class ProfileShim implements RegisterWindow {
    private static final int PORTS = ChipProfile.QEMU_PORTS;
    /** PxTFD after reset with no device (§3.3.8: 7Fh), and with the device busy. */
    private static final int TFD_NO_DEVICE = 0x7f;
    private static final int TFD_BUSY = PortTfd.STS_BSY.mask();
    /** PxSSTS of a port whose link is up at Gen1 in the active state. */
    private static final int SSTS_LINK_UP = PortSsts.IPM.with(PortSsts.SPD.with(PortSsts.DET_PRESENT_PHY, 1), 1);
    private static final int FIRMWARE_CAP_BITS = Cap.SSS.mask() | Cap.SMPS.mask();

    private final ChipProfile profile;
    private final RegisterWindow qemu;
    private final IssuedCommandCheck commands;
    private final LongSupplier clock;
    private final List<ProfileViolation> violations = new ArrayList<>();

    private boolean ae = true;
    private boolean ie;
    private int cap;
    private int pi;
    private int stickyIs;
    private final boolean[] spunUp = new boolean[PORTS];
    private final long[] busyUntil = new long[PORTS];
    private final boolean[] comresetHeld = new boolean[PORTS];
    private final long[] commandList = new long[PORTS];
    private final boolean[] unplugged = new boolean[PORTS];
    /** PxSERR bits the shim adds for an injected link change: DIAG.N (PhyRdy change), DIAG.X (exchanged). */
    private final int[] linkChange = new int[PORTS];
    private final int[] interruptEnable = new int[PORTS];

    /**
     * @param memory reads a dword of DMA memory (guest physical address), for the checks of issued commands
     * @param clock  nanoseconds, as {@link System#nanoTime()}
     */
    ProfileShim(ChipProfile profile, RegisterWindow qemu, LongToIntFunction memory, LongSupplier clock) {
        this.profile = profile;
        this.qemu = qemu;
        this.commands = new IssuedCommandCheck(profile.cap(), memory);
        this.clock = clock;
        this.cap = profile.cap();
        this.pi = profile.portsImplemented();
        powerUp();
    }

    /** Ports start spinning up, except behind SSS, where each waits for its PxCMD.SUD. */
    private void powerUp() {
        boolean staggered = Cap.SSS.isSet(profile.cap());
        long ready = clock.getAsLong() + profile.spinUpMillis() * 1_000_000L;
        for (int port = 0; port < PORTS; port++) {
            spunUp[port] = !staggered;
            busyUntil[port] = ready;
        }
    }

    /** The chip's reaction to GHC.HR (§10.4.3): AE, IE, IS and SUD cleared; PI lost where the profile says. */
    private void hbaReset() {
        ae = Cap.SAM.isSet(profile.cap());
        ie = false;
        stickyIs = 0;
        Arrays.fill(linkChange, 0);
        Arrays.fill(interruptEnable, 0);
        if (profile.resetClearsPi()) {
            pi = 0;
            cap = profile.cap() & ~FIRMWARE_CAP_BITS;
        }
        powerUp();
    }

    @Override
    public synchronized int read32(int offset) {
        if (offset < PortRegister.PORT_BASE) {
            return readHba(offset);
        }
        int port = portOf(offset, "read");
        return readPort(port, offset - PortRegister.CLB.offset(port));
    }

    @Override
    public synchronized void write32(int offset, int value) {
        if (offset < PortRegister.PORT_BASE) {
            writeHba(offset, value);
            return;
        }
        int port = portOf(offset, "written");
        writePort(port, offset - PortRegister.CLB.offset(port), value);
    }

    @Override
    public long size() {
        return qemu.size();
    }

    /** The violations seen so far, oldest first. */
    synchronized List<ProfileViolation> violations() {
        return List.copyOf(violations);
    }

    /**
     * Whether the chip's level interrupt is asserted beyond what QEMU's line says: GHC.IE set and a sticky
     * IS bit not written back (§3.1.3), or an injected link change that PxIE enables.
     */
    synchronized boolean interruptAsserted() {
        return ie && (profile.stickyIs() && stickyIs != 0 || injectedPending() != 0);
    }

    /**
     * The disk on {@code port} goes: PxSSTS.DET reads 0 and a PhyRdy change (PxSERR.DIAG.N, PxIS.PRCS) is
     * raised. The caller then signals the interrupt.
     */
    synchronized void unplug(int port) {
        unplugged[port] = true;
        linkChange[port] |= PortSerr.DIAG_N.mask();
    }

    /**
     * The disk on {@code port} comes back: the link is up again, the disk spins up, and PhyRdy and
     * device-exchanged changes (DIAG.N, DIAG.X; PxIS.PRCS, PCS) are raised. The caller then signals
     * the interrupt.
     */
    synchronized void plug(int port) {
        unplugged[port] = false;
        linkChange[port] |= PortSerr.DIAG_N.mask() | PortSerr.DIAG_X.mask();
        busyUntil[port] = clock.getAsLong() + profile.spinUpMillis() * 1_000_000L;
    }

    /** PxIS bits of an injected link change on {@code port} (§3.3.5: PRCS mirrors DIAG.N, PCS DIAG.X). */
    private int injectedIs(int port) {
        int serr = linkChange[port];
        return (PortSerr.DIAG_N.isSet(serr) ? PortIs.PRCS.mask() : 0) | (PortSerr.DIAG_X.isSet(serr) ? PortIs.PCS.mask() : 0);
    }

    /** The HBA IS bits of ports whose injected link change PxIE enables. */
    private int injectedPending() {
        int is = 0;
        for (int port = 0; port < PORTS; port++) {
            if ((injectedIs(port) & interruptEnable[port]) != 0) {
                is |= 1 << port;
            }
        }
        return is;
    }

    private int readHba(int offset) {
        if (offset == HbaRegister.CAP.offset()) {
            return cap;
        } else if (offset == HbaRegister.GHC.offset()) {
            return qemu.read32(offset) & ~Ghc.AE.mask() | (ae ? Ghc.AE.mask() : 0);
        } else if (offset == HbaRegister.IS.offset()) {
            int is = (qemu.read32(offset) | injectedPending()) & profile.portsImplemented();
            if (!profile.stickyIs()) {
                return is;
            }
            stickyIs |= is;
            return stickyIs;
        } else if (offset == HbaRegister.PI.offset()) {
            return pi;
        } else if (offset == HbaRegister.VS.offset()) {
            return profile.version();
        } else if (offset == HbaRegister.CAP2.offset() || offset == HbaRegister.BOHC.offset()) {
            requireCap2(offset, "read");
            return offset == HbaRegister.CAP2.offset() ? profile.cap2() : 0;
        }
        return qemu.read32(offset);
    }

    private void writeHba(int offset, int value) {
        if (offset == HbaRegister.CAP.offset()) {
            writeBack("CAP", value, profile.cap());
            cap = value;
        } else if (offset == HbaRegister.PI.offset()) {
            writeBack("PI", value, profile.portsImplemented());
            pi = value;
        } else if (offset == HbaRegister.VS.offset() || offset == HbaRegister.CAP2.offset()) {
            requireCap2(offset, "written");
            throw violation(name(offset) + " written: it is read-only (AHCI 1.3.1 §3.1)");
        } else if (offset == HbaRegister.BOHC.offset()) {
            requireCap2(offset, "written");
            qemu.write32(offset, value);
        } else if (offset == HbaRegister.GHC.offset()) {
            qemu.write32(offset, value);
            if (Ghc.HR.isSet(value)) {
                hbaReset();
            } else {
                ae = Ghc.AE.isSet(value) || Cap.SAM.isSet(profile.cap());
                ie = Ghc.IE.isSet(value);
            }
        } else {
            if (offset == HbaRegister.IS.offset()) {
                stickyIs &= ~value;
            }
            qemu.write32(offset, value);
        }
    }

    /** CAP and PI are HwInit: software may only write back what the firmware set (libahci does so after reset). */
    private void writeBack(String register, int value, int firmware) {
        if (value != firmware) {
            throw violation(register + " written with " + hex(value) + ", but the firmware's value is " + hex(firmware)
                    + ": the register is HwInit, software may only restore it (AHCI 1.3.1 §3.1.1, §3.1.4)");
        }
    }

    private void requireCap2(int offset, String how) {
        if (!profile.hasCap2()) {
            throw violation(name(offset) + " " + how + " on an AHCI " + HbaCapabilities.versionString(profile.version()) + " HBA: the register exists "
                    + "from AHCI 1.2 on (§3.1.10, §3.1.11); read VS first");
        }
    }

    private int portOf(int offset, String how) {
        int port = (offset - PortRegister.PORT_BASE) / PortRegister.PORT_STRIDE;
        if (port >= 32 || (pi & 1 << port) == 0) {
            throw violation("port " + port + " register " + hex(offset) + " " + how + ", but PI is " + hex(pi)
                    + ": the port is not implemented (AHCI 1.3.1 §3.1.4)"
                    + (pi == 0 && profile.resetClearsPi() ? "; this chip loses PI at HBA reset: write back the "
                    + "value read before the reset" : ""));
        }
        if (!ae) {
            throw violation("port " + port + " register " + hex(offset) + " " + how + " with GHC.AE clear: "
                    + "software uses the AHCI registers only after setting AE (AHCI 1.3.1 §3.1.2)");
        }
        return port;
    }

    private int readPort(int port, int reg) {
        PortWiring wiring = unplugged[port] ? PortWiring.UNWIRED : profile.wiring(port);
        if (reg == rel(PortRegister.SSTS)) {
            if (wiring == PortWiring.NO_LINK) {
                return PortSsts.DET_PRESENT_NO_PHY;
            }
            if (wiring == PortWiring.UNWIRED || !spunUp[port]) {
                return PortSsts.DET_NONE;
            }
            return wiring == PortWiring.NEVER_READY ? SSTS_LINK_UP : qemu.read32(portOffset(port, reg));
        } else if (reg == rel(PortRegister.TFD)) {
            if (wiring == PortWiring.NO_LINK || wiring == PortWiring.UNWIRED || !spunUp[port]) {
                return TFD_NO_DEVICE;
            }
            return busy(port) ? TFD_BUSY : qemu.read32(portOffset(port, reg));
        } else if (reg == rel(PortRegister.SIG)) {
            return wiring != PortWiring.CONNECTED || !spunUp[port] || busy(port) ? -1 : qemu.read32(portOffset(port, reg));
        } else if (reg == rel(PortRegister.CMD) && Cap.SSS.isSet(profile.cap())) {
            int cmd = qemu.read32(portOffset(port, reg));
            return spunUp[port] ? cmd | PortCmd.SUD.mask() : cmd & ~PortCmd.SUD.mask();
        } else if (reg == rel(PortRegister.IS)) {
            return qemu.read32(portOffset(port, reg)) | injectedIs(port);
        } else if (reg == rel(PortRegister.SERR)) {
            return qemu.read32(portOffset(port, reg)) | linkChange[port];
        }
        return qemu.read32(portOffset(port, reg));
    }

    private void writePort(int port, int reg, int value) {
        if (reg == rel(PortRegister.CLBU) || reg == rel(PortRegister.FBU)) {
            if (value != 0 && !Cap.S64A.isSet(profile.cap())) {
                throw violation("port " + port + " " + (reg == rel(PortRegister.CLBU) ? "PxCLBU" : "PxFBU") + " written "
                        + "with " + hex(value) + ", but CAP.S64A is clear: the register is read-only 0 (§3.3.2, §3.3.4)");
            }
            if (reg == rel(PortRegister.CLBU)) {
                commandList[port] = commandList[port] & 0xffff_ffffL | (long) value << 32;
            }
        } else if (reg == rel(PortRegister.CLB)) {
            commandList[port] = commandList[port] & ~0xffff_ffffL | value & 0xffff_ffffL;
        } else if (reg == rel(PortRegister.CMD)) {
            checkCommandRegister(port, value);
        } else if (reg == rel(PortRegister.SERR)) {
            linkChange[port] &= ~value;
        } else if (reg == rel(PortRegister.IE)) {
            interruptEnable[port] = value;
        } else if (reg == rel(PortRegister.SCTL)) {
            int det = PortSctl.DET.get(value);
            if (det == PortSctl.DET_COMRESET) {
                comresetHeld[port] = true;
            } else if (comresetHeld[port]) {
                comresetHeld[port] = false;
                busyUntil[port] = clock.getAsLong() + profile.spinUpMillis() * 1_000_000L;
            }
        } else if (reg == rel(PortRegister.CI) && value != 0) {
            checkIssue(port, value);
        } else if (reg == rel(PortRegister.SACT) && value != 0) {
            if (!Cap.SNCQ.isSet(profile.cap())) {
                throw violation("port " + port + " PxSACT written with " + hex(value) + ", but CAP.SNCQ is clear: "
                        + "this HBA has no native command queuing (§3.1.1, §3.3.13)");
            }
            int slots = Cap.commandSlots(profile.cap());
            if (slots < 32 && value >>> slots != 0) {
                throw violation("port " + port + " PxSACT " + hex(value) + " names a slot at or above CAP.NCS ("
                        + slots + (slots == 1 ? " slot" : " slots") + ", §3.1.1)");
            }
        }
        qemu.write32(portOffset(port, reg), value);
    }

    private void checkCommandRegister(int port, int value) {
        int caps = profile.cap();
        if (PortCmd.CLO.isSet(value) && !Cap.SCLO.isSet(caps)) {
            throw violation("port " + port + " PxCMD.CLO set, but CAP.SCLO is clear: the bit is reserved (§3.3.7)");
        }
        if ((PortCmd.ALPE.isSet(value) || PortCmd.ASP.isSet(value)) && !Cap.SALP.isSet(caps)) {
            throw violation("port " + port + " PxCMD.ALPE/ASP set, but CAP.SALP is clear (§3.3.7)");
        }
        if (!Cap.SSS.isSet(caps)) {
            return;
        }
        if (PortCmd.ST.isSet(value) && !spunUp[port] && !PortCmd.SUD.isSet(value)) {
            throw violation("port " + port + " PxCMD.ST set before PxCMD.SUD on a staggered spin-up HBA: the device "
                    + "is not spun up (CAP.SSS, §10.10.1)");
        }
        if (PortCmd.SUD.isSet(value) && !spunUp[port]) {
            spunUp[port] = true;
            busyUntil[port] = clock.getAsLong() + profile.spinUpMillis() * 1_000_000L;
        }
    }

    private void checkIssue(int port, int issued) {
        if (!spunUp[port]) {
            throw violation("port " + port + " command issued (PxCI " + hex(issued) + ") before PxCMD.SUD on a "
                    + "staggered spin-up HBA (CAP.SSS, §10.10.1)");
        }
        if (profile.wiring(port) != PortWiring.CONNECTED || unplugged[port] || busy(port)) {
            throw violation("port " + port + " command issued (PxCI " + hex(issued) + ") while PxTFD reads "
                    + hex(readPort(port, rel(PortRegister.TFD))) + " and PxSSTS " + hex(readPort(port, rel(PortRegister.SSTS)))
                    + ": no device is ready to take it (§10.3.1)");
        }
        String wrong = commands.check(commandList[port], issued);
        if (wrong != null) {
            throw violation("port " + port + " " + wrong);
        }
    }

    private boolean busy(int port) {
        return profile.wiring(port) == PortWiring.NEVER_READY || unplugged[port] || clock.getAsLong() - busyUntil[port] < 0;
    }

    private ProfileViolation violation(String what) {
        ProfileViolation v = new ProfileViolation(profile.name() + " (" + profile.chip() + "): " + what);
        violations.add(v);
        return v;
    }

    private static int rel(PortRegister reg) {
        return reg.offset(0) - PortRegister.PORT_BASE;
    }

    private static int portOffset(int port, int reg) {
        return PortRegister.CLB.offset(port) + reg;
    }

    private static String name(int offset) {
        for (HbaRegister r : HbaRegister.values()) {
            if (r.offset() == offset) {
                return r.name();
            }
        }
        return hex(offset);
    }

    private static String hex(int value) {
        return String.format("%08x", value);
    }
}
