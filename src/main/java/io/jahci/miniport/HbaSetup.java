package io.jahci.miniport;

import io.jahci.ahci.Bohc;
import io.jahci.ahci.Cap2;
import io.jahci.ahci.Ghc;
import io.jahci.ahci.HbaCapabilities;
import io.jahci.ahci.HbaRegister;
import io.jahci.ahci.KnownChips;
import io.jahci.fault.PortException;
import io.jahci.hw.PciFunction;
import io.jahci.hw.RegisterWindow;

import java.io.IOException;
import java.util.List;

/**
 * The HBA-wide steps of bring-up, in order, at PASSIVE on the opening thread (AHCI 1.3.1 §10.1.2):
 * <ol>
 *   <li>VS decides whether CAP2 and BOHC exist (AHCI 1.2 and later, §3.1.10, §3.1.11);</li>
 *   <li>BIOS/OS handoff when CAP2.BOH (§10.6.3);</li>
 *   <li>CAP and PI saved: firmware writes their HwInit bits once, and some chips lose them at reset;</li>
 *   <li>HBA reset (GHC.HR, §10.4.3), then GHC.AE set and read back (§3.1.2);</li>
 *   <li>CAP and PI written back where the reset changed them, and read back;</li>
 *   <li>the chip's known quirks ({@link KnownChips}, by PCI ID) applied to what CAP and PI say.</li>
 * </ol>
 */
final class HbaSetup {
    private final String where;
    private final RegisterWindow regs;
    private final Timeouts timeouts;
    private final List<String> warnings;

    HbaSetup(String where, RegisterWindow regs, Timeouts timeouts, List<String> warnings) {
        this.where = where;
        this.regs = regs;
        this.timeouts = timeouts;
        this.warnings = warnings;
    }

    /** The chip's entry in {@link KnownChips}, or null. */
    static KnownChips.Chip identify(PciFunction pci) throws IOException {
        int ids = pci.readConfig32(PciFunction.VENDOR_ID);
        return KnownChips.lookup(ids & 0xffff, ids >>> 16);
    }

    /** Runs every step; returns the capabilities with {@code chip}'s quirks applied. */
    HbaCapabilities run(KnownChips.Chip chip) throws PortException {
        int version = read(HbaRegister.VS);
        int cap2 = HbaCapabilities.hasCap2(version) ? read(HbaRegister.CAP2) : 0;
        if (Cap2.BOH.isSet(cap2)) {
            takeOwnership();
        }
        int firmwareCap = read(HbaRegister.CAP);
        int firmwarePi = read(HbaRegister.PI);
        reset();
        int cap = restore(HbaRegister.CAP, firmwareCap);
        int pi = restore(HbaRegister.PI, firmwarePi);
        if (pi == 0) {
            throw new PortException(where + ": PI reads 0: the HBA implements no port (AHCI 1.3.1 §3.1.4); check "
                    + "that the firmware enables the SATA ports");
        }
        HbaCapabilities caps = new HbaCapabilities(cap, cap2, pi, version);
        return chip == null ? caps : chip.apply(caps);
    }

    /** Writes {@code firmware} back when the reset changed the register, and returns what it reads now. */
    private int restore(HbaRegister reg, int firmware) throws PortException {
        int now = read(reg);
        if (now == firmware) {
            return now;
        }
        write(reg, firmware);
        int back = read(reg);
        if (back != firmware) {
            warnings.add(String.format("%s: %s was %08x before the HBA reset, %08x after it, and %08x once written "
                    + "back: using %08x", where, reg, firmware, now, back, back));
        }
        return back;
    }

    /**
     * BIOS/OS handoff (§10.6.3): request ownership (BOHC.OOS), wait for the BIOS to drop BOS, and for a
     * busy BIOS (BB) a while longer. A firmware that never answers is noted and ignored.
     */
    private void takeOwnership() {
        write(HbaRegister.BOHC, read(HbaRegister.BOHC) | Bohc.OOS.mask());
        if (Poll.until(timeouts.biosHandoffMillis(), () -> !Bohc.BOS.isSet(read(HbaRegister.BOHC)))) {
            return;
        }
        if (Bohc.BB.isSet(read(HbaRegister.BOHC))
                && Poll.until(timeouts.biosBusyMillis(), () -> !Bohc.BOS.isSet(read(HbaRegister.BOHC)))) {
            return;
        }
        warnings.add("the firmware did not release the HBA (BOHC=" + Integer.toHexString(read(HbaRegister.BOHC))
                + ") within the §10.6.3 handoff time; continuing without it");
    }

    /** HBA reset (§10.4.3): GHC.AE, then GHC.HR, wait for HR to clear, then GHC.AE again, read back. */
    private void reset() throws PortException {
        write(HbaRegister.GHC, Ghc.AE.mask());
        write(HbaRegister.GHC, Ghc.AE.mask() | Ghc.HR.mask());
        long millis = timeouts.hbaResetMillis();
        if (!Poll.until(millis, () -> !Ghc.HR.isSet(read(HbaRegister.GHC)))) {
            throw new PortException(where + ": HBA reset did not complete within " + millis
                    + " ms (GHC.HR stays set, AHCI 1.3.1 §10.4.3); the controller does not answer: power-cycle the machine.");
        }
        write(HbaRegister.GHC, Ghc.AE.mask());
        int ghc = read(HbaRegister.GHC);
        if (!Ghc.AE.isSet(ghc)) {
            throw new PortException(where + ": GHC.AE does not stay set (GHC=" + Ghc.describe(ghc) + "): the HBA "
                    + "stays in legacy mode (AHCI 1.3.1 §3.1.2); set the SATA mode to AHCI in the firmware setup");
        }
    }

    private int read(HbaRegister reg) {
        return regs.read32(reg.offset());
    }

    private void write(HbaRegister reg, int value) {
        regs.write32(reg.offset(), value);
    }
}
