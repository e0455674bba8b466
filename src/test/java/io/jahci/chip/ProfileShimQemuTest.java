package io.jahci.chip;

import io.jahci.ahci.Cap;
import io.jahci.ahci.Cap2;
import io.jahci.ahci.Ghc;
import io.jahci.ahci.HbaRegister;
import io.jahci.ahci.PortCmd;
import io.jahci.ahci.PortIs;
import io.jahci.ahci.PortRegister;
import io.jahci.ahci.PortSctl;
import io.jahci.ahci.PortSsts;
import io.jahci.hw.DmaMemory;
import io.jahci.hw.PciFunction;
import io.jahci.hw.RegisterWindow;
import io.jahci.hw.qemu.QemuConfig;
import io.jahci.hw.qemu.QemuTransport;
import io.jahci.testing.Images;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The profile shim on QEMU's real AHCI: each access a chip would refuse throws {@link ProfileViolation},
 * is recorded, and never reaches QEMU (QEMU's own registers, read under the shim, show it); what the
 * chip presents instead of QEMU's model (identity, PI lost at reset, AE, staggered spin-up, BSY while
 * spinning up, dead ports, sticky IS) reads as the profile says.
 */
@Tag("qemu")
class ProfileShimQemuTest {
    private static final int PORT0 = 0;

    @TempDir
    Path dir;

    private QemuTransport qemu;

    @AfterEach
    void close() {
        if (qemu != null) {
            qemu.close();
        }
    }

    /** QEMU with a disk on each of {@code ports}, under {@code profile} with the clock {@code nanos}. */
    private ProfileShim shim(ChipProfile profile, AtomicLong nanos, List<Integer> ports) throws Exception {
        List<String> images = new ArrayList<>();
        for (int port : ports) {
            images.add(Images.create(dir, "p" + port + ".img", 1 << 20).toString());
        }
        qemu = QemuTransport.open(QemuConfig.fromEnvironment(images).withPorts(ports));
        return new ProfileShim(profile, qemu.abar(), qemu::readGuest32, nanos::get);
    }

    private static int port(PortRegister reg) {
        return reg.offset(PORT0);
    }

    /** GHC.HR, waited for on QEMU's own register, then AE as the driver sets it. */
    private static void resetHba(RegisterWindow regs, boolean setAe) {
        regs.write32(HbaRegister.GHC.offset(), Ghc.AE.mask() | Ghc.HR.mask());
        for (int i = 0; i < 1000 && Ghc.HR.isSet(regs.read32(HbaRegister.GHC.offset())); i++) {
            Thread.onSpinWait();
        }
        assertFalse(Ghc.HR.isSet(regs.read32(HbaRegister.GHC.offset())), "the HBA reset completes");
        if (setAe) {
            regs.write32(HbaRegister.GHC.offset(), Ghc.AE.mask());
        }
    }

    private static void refused(ProfileShim shim, String expected, Executable access) {
        int before = shim.violations().size();
        ProfileViolation v = assertThrows(ProfileViolation.class, access);
        assertTrue(v.getMessage().contains(expected), v.getMessage());
        assertEquals(before + 1, shim.violations().size(), "the violation is recorded");
        assertSame(v, shim.violations().get(before));
    }

    @Test
    void theMinimalAhci10ChipRefusesEverythingItLacks() throws Exception {
        ProfileShim shim = shim(ChipProfiles.AHCI10_MIN, new AtomicLong(), List.of(0));
        RegisterWindow raw = qemu.abar();
        resetHba(shim, true);
        assertEquals(ChipProfiles.AHCI10_MIN.cap(), shim.read32(HbaRegister.CAP.offset()));
        assertEquals(1, Cap.commandSlots(shim.read32(HbaRegister.CAP.offset())));
        assertEquals(0x0001_0000, shim.read32(HbaRegister.VS.offset()));
        assertEquals(1, shim.read32(HbaRegister.PI.offset()));

        refused(shim, "CAP2 read on an AHCI 1.0 HBA", () -> shim.read32(HbaRegister.CAP2.offset()));
        refused(shim, "PI is 00000001", () -> shim.read32(PortRegister.CMD.offset(1)));
        refused(shim, "CAP.S64A is clear", () -> shim.write32(port(PortRegister.CLBU), 1));
        assertEquals(0, raw.read32(port(PortRegister.CLBU)), "QEMU never saw the upper address");
        refused(shim, "CAP.SCLO is clear", () -> shim.write32(port(PortRegister.CMD), PortCmd.CLO.mask()));
        refused(shim, "CAP.SNCQ is clear", () -> shim.write32(port(PortRegister.SACT), 1));
        assertEquals(0, raw.read32(port(PortRegister.SACT)), "QEMU never saw PxSACT");

        try (DmaMemory list = qemu.allocateDma(4096, 1024); DmaMemory table = qemu.allocateDma(4096, 128)) {
            shim.write32(port(PortRegister.CLB), (int) list.busAddress(0));
            shim.write32(port(PortRegister.CMD), PortCmd.FRE.mask());
            refused(shim, "slot 1 issued, but CAP.NCS gives 1 slot", () -> shim.write32(port(PortRegister.CI), 2));

            header(list, 0, 0, table.busAddress(0));
            cfis(table, 0x60);
            refused(shim, "READ FPDMA QUEUED (60h) issued, but CAP.SNCQ is clear",
                    () -> shim.write32(port(PortRegister.CI), 1));
            cfis(table, 0x25);
            header(list, 1 << 12, 0, table.busAddress(0));
            refused(shim, "port multiplier port 1, but CAP.SPM is clear", () -> shim.write32(port(PortRegister.CI), 1));
            header(list, 0, 1, table.busAddress(0));
            refused(shim, "CTBAU is 00000001", () -> shim.write32(port(PortRegister.CI), 1));
            header(list, 1 << 16, 0, table.busAddress(0));
            table.buffer().putInt(0x80 + 4, 7);
            refused(shim, "PRD 0 has DBAU 00000007", () -> shim.write32(port(PortRegister.CI), 1));
            assertEquals(0, raw.read32(port(PortRegister.CI)), "QEMU never saw a refused command");
        }
        assertEquals(10, shim.violations().size(), "every refusal above, and nothing else");
    }

    /** Command header of slot 0: DW0 flags (CFL 5 words), CTBA/CTBAU. */
    private static void header(DmaMemory list, int flags, int tableUpper, long table) {
        ByteBuffer b = list.buffer();
        b.putInt(0, flags | 5);
        b.putInt(8, (int) table);
        b.putInt(12, tableUpper);
    }

    /** A Register H2D FIS with command {@code opcode} at the start of the command table. */
    private static void cfis(DmaMemory table, int opcode) {
        table.buffer().putInt(0, 0x27 | 0x80 << 8 | opcode << 16);
    }

    @Test
    void aChipWithoutSamClearsAeAtResetAndRefusesPortAccessUntilItIsSetAgain() throws Exception {
        ProfileShim shim = shim(ChipProfiles.JMB363, new AtomicLong(), List.of(0));
        resetHba(shim, false);
        assertFalse(Ghc.AE.isSet(shim.read32(HbaRegister.GHC.offset())), "AE is 0 after the reset (no CAP.SAM)");
        refused(shim, "GHC.AE clear", () -> shim.read32(port(PortRegister.SSTS)));
        shim.write32(HbaRegister.GHC.offset(), Ghc.AE.mask());
        assertTrue(Ghc.AE.isSet(shim.read32(HbaRegister.GHC.offset())));
        assertEquals(PortSsts.DET_PRESENT_PHY, PortSsts.DET.get(shim.read32(port(PortRegister.SSTS))));
    }

    @Test
    void aChipThatLosesPiAtResetImplementsNoPortUntilTheFirmwareValueIsWrittenBack() throws Exception {
        ProfileShim shim = shim(ChipProfiles.INTEL_PCH, new AtomicLong(), List.of(0));
        assertEquals(0x3f, shim.read32(HbaRegister.PI.offset()), "as the firmware left it");
        assertEquals(Cap2.APST.mask(), shim.read32(HbaRegister.CAP2.offset()), "AHCI 1.3.1 has CAP2");
        resetHba(shim, true);
        assertEquals(0, shim.read32(HbaRegister.PI.offset()));
        refused(shim, "loses PI at HBA reset", () -> shim.read32(port(PortRegister.SSTS)));
        refused(shim, "firmware's value is 0000003f", () -> shim.write32(HbaRegister.PI.offset(), 1));
        shim.write32(HbaRegister.PI.offset(), 0x3f);
        assertEquals(0x3f, shim.read32(HbaRegister.PI.offset()));
        assertEquals(PortSsts.DET_PRESENT_PHY, PortSsts.DET.get(shim.read32(port(PortRegister.SSTS))));
    }

    @Test
    void aStaggeredSpinUpChipShowsNoLinkAndTakesNoCommandBeforeSud() throws Exception {
        ProfileShim shim = shim(ChipProfiles.AMD_FCH, new AtomicLong(), List.of(0));
        resetHba(shim, true);
        assertEquals(PortSsts.DET_NONE, PortSsts.DET.get(shim.read32(port(PortRegister.SSTS))));
        assertFalse(PortCmd.SUD.isSet(shim.read32(port(PortRegister.CMD))));
        refused(shim, "before PxCMD.SUD", () -> shim.write32(port(PortRegister.CI), 1));
        refused(shim, "PxCMD.ST set before PxCMD.SUD",
                () -> shim.write32(port(PortRegister.CMD), PortCmd.FRE.mask() | PortCmd.ST.mask()));
        shim.write32(port(PortRegister.CMD), PortCmd.SUD.mask() | PortCmd.POD.mask());
        assertTrue(PortCmd.SUD.isSet(shim.read32(port(PortRegister.CMD))));
        assertEquals(PortSsts.DET_PRESENT_PHY, PortSsts.DET.get(shim.read32(port(PortRegister.SSTS))));
    }

    @Test
    void aSpinningUpDiskKeepsBsyAndNoSignatureUntilItsTimeHasPassedAfterResetAndAfterComreset() throws Exception {
        AtomicLong nanos = new AtomicLong();
        ProfileShim shim = shim(ChipProfiles.ICH9.withSpinUpMillis(5_000), nanos, List.of(0));
        resetHba(shim, true);
        assertEquals(0x80, shim.read32(port(PortRegister.TFD)), "BSY while the disk spins up");
        assertEquals(-1, shim.read32(port(PortRegister.SIG)));
        refused(shim, "no device is ready", () -> shim.write32(port(PortRegister.CI), 1));
        nanos.addAndGet(4_999_000_000L);
        assertEquals(0x80, shim.read32(port(PortRegister.TFD)));
        nanos.addAndGet(1_000_000L);
        assertEquals(0, shim.read32(port(PortRegister.TFD)) & 0x80, "ready after 5 s");
        assertEquals(qemu.abar().read32(port(PortRegister.SIG)), shim.read32(port(PortRegister.SIG)), "QEMU's own");

        shim.write32(port(PortRegister.SCTL), PortSctl.DET.with(0, PortSctl.DET_COMRESET));
        shim.write32(port(PortRegister.SCTL), PortSctl.DET.with(0, PortSctl.DET_NO_ACTION));
        assertEquals(0x80, shim.read32(port(PortRegister.TFD)), "a COMRESET powers the disk up again");
        nanos.addAndGet(5_000_000_000L);
        assertEquals(0, shim.read32(port(PortRegister.TFD)) & 0x80);
    }

    @Test
    void deadPortsReadAsTheirWiringSays() throws Exception {
        ChipProfile wired = ChipProfiles.ICH9.withWiring(1, PortWiring.NO_LINK).withWiring(2, PortWiring.UNWIRED)
                .withWiring(3, PortWiring.NEVER_READY);
        assertEquals(List.of(0, 4, 5), wired.diskPorts());
        ProfileShim shim = shim(wired, new AtomicLong(), List.of(0));
        resetHba(shim, true);
        assertEquals(PortSsts.DET_PRESENT_NO_PHY, PortSsts.DET.get(shim.read32(PortRegister.SSTS.offset(1))));
        assertEquals(PortSsts.DET_NONE, PortSsts.DET.get(shim.read32(PortRegister.SSTS.offset(2))));
        assertEquals(PortSsts.DET_PRESENT_PHY, PortSsts.DET.get(shim.read32(PortRegister.SSTS.offset(3))));
        assertEquals(0x7f, shim.read32(PortRegister.TFD.offset(1)));
        assertEquals(0x80, shim.read32(PortRegister.TFD.offset(3)), "never ready: BSY for good");
        assertEquals(-1, shim.read32(PortRegister.SIG.offset(3)));
        refused(shim, "no device is ready", () -> shim.write32(PortRegister.CI.offset(1), 1));
    }

    @Test
    void aStickyIsBitStaysAndKeepsTheLineAssertedUntilWrittenBack() throws Exception {
        ProfileShim shim = shim(ChipProfiles.JMB363, new AtomicLong(), List.of(0));
        RegisterWindow raw = qemu.abar();
        resetHba(shim, true);
        shim.write32(HbaRegister.GHC.offset(), Ghc.AE.mask() | Ghc.IE.mask());
        DmaMemory fis = qemu.allocateDma(4096, 256);
        shim.write32(port(PortRegister.FB), (int) fis.busAddress(0));
        shim.write32(port(PortRegister.CMD), PortCmd.FRE.mask());
        shim.write32(port(PortRegister.IE), PortIs.DHRS.mask());
        shim.write32(port(PortRegister.SCTL), PortSctl.DET.with(0, PortSctl.DET_COMRESET));
        shim.write32(port(PortRegister.SCTL), PortSctl.DET.with(0, PortSctl.DET_NO_ACTION));
        assertTrue(PortIs.DHRS.isSet(raw.read32(port(PortRegister.IS))), "QEMU's disk answered COMRESET with a D2H FIS");
        assertEquals(1, shim.read32(HbaRegister.IS.offset()));
        shim.write32(port(PortRegister.IS), -1);
        assertEquals(0, raw.read32(HbaRegister.IS.offset()), "QEMU recomputes IS from PxIS");
        assertEquals(1, shim.read32(HbaRegister.IS.offset()), "the chip keeps it");
        assertTrue(shim.interruptAsserted());
        shim.write32(HbaRegister.IS.offset(), 1);
        assertEquals(0, shim.read32(HbaRegister.IS.offset()));
        assertFalse(shim.interruptAsserted());
    }

    @Test
    void theTransportPresentsTheChipsPciIdentity() throws Exception {
        shim(ChipProfiles.ASM1062, new AtomicLong(), List.of(0));
        ProfileTransport t = ProfileTransport.wrap(qemu, ChipProfiles.ASM1062);
        PciFunction pci = t.pci();
        assertEquals(0x1b21 | 0x0612 << 16, pci.readConfig32(PciFunction.VENDOR_ID));
        assertEquals(0x1b21, pci.readConfig16(0));
        assertEquals(0x0612, pci.readConfig16(2));
        assertEquals(0x010601, pci.readConfig32(PciFunction.CLASS_REVISION) >>> 8);
        assertEquals(0x01, pci.readConfig8(0x0b), "base class: mass storage");
        assertEquals(0x06, pci.readConfig8(0x0a), "subclass: SATA");
        assertTrue(t.describe().contains("as asm1062 (ASMedia ASM1062, 1b21:0612)"), t.describe());
    }
}
