package io.jahci.ahci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Register offsets and the bit positions of the register fields, against AHCI 1.3.1 §3. */
class RegistersTest {
    @Test
    void hbaRegisterOffsets() {
        assertEquals(0x00, HbaRegister.CAP.offset());
        assertEquals(0x04, HbaRegister.GHC.offset());
        assertEquals(0x08, HbaRegister.IS.offset());
        assertEquals(0x0C, HbaRegister.PI.offset());
        assertEquals(0x10, HbaRegister.VS.offset());
        assertEquals(0x14, HbaRegister.CCC_CTL.offset());
        assertEquals(0x18, HbaRegister.CCC_PORTS.offset());
        assertEquals(0x1C, HbaRegister.EM_LOC.offset());
        assertEquals(0x20, HbaRegister.EM_CTL.offset());
        assertEquals(0x24, HbaRegister.CAP2.offset());
        assertEquals(0x28, HbaRegister.BOHC.offset());
    }

    @Test
    void portRegisterOffsets() {
        assertEquals(0x100, PortRegister.CLB.offset(0));
        assertEquals(0x104, PortRegister.CLBU.offset(0));
        assertEquals(0x108, PortRegister.FB.offset(0));
        assertEquals(0x10C, PortRegister.FBU.offset(0));
        assertEquals(0x110, PortRegister.IS.offset(0));
        assertEquals(0x114, PortRegister.IE.offset(0));
        assertEquals(0x118, PortRegister.CMD.offset(0));
        assertEquals(0x120, PortRegister.TFD.offset(0));
        assertEquals(0x124, PortRegister.SIG.offset(0));
        assertEquals(0x128, PortRegister.SSTS.offset(0));
        assertEquals(0x12C, PortRegister.SCTL.offset(0));
        assertEquals(0x130, PortRegister.SERR.offset(0));
        assertEquals(0x134, PortRegister.SACT.offset(0));
        assertEquals(0x138, PortRegister.CI.offset(0));
        assertEquals(0x13C, PortRegister.SNTF.offset(0));
        assertEquals(0x140, PortRegister.FBS.offset(0));
        assertEquals(0x3B8, PortRegister.CI.offset(5));
        assertEquals(0x1098, PortRegister.CMD.offset(31));
        assertThrows(IllegalArgumentException.class, () -> PortRegister.CI.offset(32));
        assertThrows(IllegalArgumentException.class, () -> PortRegister.CI.offset(-1));
    }

    @Test
    void capFields() {
        int cap = 0xC030_1F05; // S64A SNCQ, ISS Gen3, 32 slots, 6 ports
        assertTrue(Cap.S64A.isSet(cap));
        assertTrue(Cap.SNCQ.isSet(cap));
        assertFalse(Cap.SCLO.isSet(cap));
        assertEquals(3, Cap.ISS.get(cap));
        assertEquals(32, Cap.commandSlots(cap));
        assertEquals(6, Cap.ports(cap));
        assertEquals(1, Cap.commandSlots(0));
        assertEquals("S64A SNCQ ISS=3 NCS=31 NP=5", Cap.describe(cap));
        assertEquals(0x0100_0000, Cap.SCLO.mask());
        assertEquals(0x0004_0000, Cap.SAM.mask());
        assertEquals(0x0000_0080, Cap.CCCS.mask());
        assertEquals(0x0000_0020, Cap.SXS.mask());
    }

    @Test
    void cap2GhcBohcFields() {
        assertEquals(0x20, Cap2.DESO.mask());
        assertEquals(0x01, Cap2.BOH.mask());
        assertEquals("SDS BOH", Cap2.describe(0x09));
        assertEquals(0x8000_0000, Ghc.AE.mask());
        assertEquals(0x4, Ghc.MRSM.mask());
        assertEquals(0x1, Ghc.HR.mask());
        assertEquals("AE IE", Ghc.describe(0x8000_0002));
        assertEquals(0x10, Bohc.BB.mask());
        assertEquals(0x02, Bohc.OOS.mask());
        assertEquals("BB BOS", Bohc.describe(0x11));
    }

    @Test
    void portIsFieldsAndMasks() {
        assertEquals(0x8000_0000, PortIs.CPDS.mask());
        assertEquals(0x4000_0000, PortIs.TFES.mask());
        assertEquals(0x0100_0000, PortIs.OFS.mask());
        assertEquals(0x0080_0000, PortIs.IPMS.mask());
        assertEquals(0x0040_0000, PortIs.PRCS.mask());
        assertEquals(0x0000_0080, PortIs.DMPS.mask());
        assertEquals(0x0000_0001, PortIs.DHRS.mask());
        assertEquals(0x7800_0000, PortIs.FATAL_MASK);
        assertEquals(0x7D80_0000, PortIs.ERROR_MASK);
        assertEquals("TFES PSS DHRS", PortIs.describe(0x4000_0003));
    }

    @Test
    void portCmdFields() {
        assertEquals(0xF000_0000, PortCmd.ICC.mask());
        assertEquals(0x0100_0000, PortCmd.ATAPI.mask());
        assertEquals(0x0001_0000, PortCmd.CPS.mask());
        assertEquals(0x0000_8000, PortCmd.CR.mask());
        assertEquals(0x0000_4000, PortCmd.FR.mask());
        assertEquals(0x0000_1F00, PortCmd.CCS.mask());
        assertEquals(0x0000_0010, PortCmd.FRE.mask());
        assertEquals(0x0000_0008, PortCmd.CLO.mask());
        assertEquals(0x0000_0002, PortCmd.SUD.mask());
        int started = PortCmd.ICC.with(PortCmd.FRE.with(PortCmd.ST.with(0, 1), 1),
                PortCmd.ICC_ACTIVE);
        assertEquals(0x1000_0011, started);
    }

    @Test
    void portTfdFields() {
        int tfd = 0x0000_0451;
        assertEquals(0x51, PortTfd.STS.get(tfd));
        assertEquals(0x04, PortTfd.ERR.get(tfd));
        assertTrue(PortTfd.STS_ERR.isSet(tfd));
        assertFalse(PortTfd.STS_BSY.isSet(tfd));
        assertFalse(PortTfd.STS_DRQ.isSet(tfd));
        assertTrue(PortTfd.STS_BSY.isSet(0x80));
        assertTrue(PortTfd.STS_DRQ.isSet(0x08));
        assertEquals("STS=0x51 (DRDY DSC ERR) ERR=0x04 (ABRT)", PortTfd.describe(tfd));
    }

    @Test
    void sataStatusControlError() {
        int ssts = 0x0000_0123;
        assertEquals(PortSsts.DET_PRESENT_PHY, PortSsts.DET.get(ssts));
        assertEquals(2, PortSsts.SPD.get(ssts));
        assertEquals(PortSsts.IPM_ACTIVE, PortSsts.IPM.get(ssts));
        assertEquals("IPM=1 SPD=2 DET=3", PortSsts.describe(ssts));
        assertEquals(0x0000_0301, PortSctl.IPM.with(PortSctl.DET.with(0, PortSctl.DET_COMRESET), 3));
        assertEquals(0x4, PortSctl.DET_DISABLE);
        assertEquals(0x0400_0000, PortSerr.DIAG_X.mask());
        assertEquals(0x0001_0000, PortSerr.DIAG_N.mask());
        assertEquals(0x0000_0800, PortSerr.ERR_E.mask());
        assertEquals(0x0000_0100, PortSerr.ERR_T.mask());
        assertEquals(0x0000_0002, PortSerr.ERR_M.mask());
        assertEquals("DIAG.X DIAG.N ERR.I", PortSerr.describe(0x0401_0001));
    }

    @Test
    void deviceSignature() {
        assertEquals(DeviceSignature.ATA, DeviceSignature.of(0x0000_0101));
        assertEquals(DeviceSignature.ATAPI, DeviceSignature.of(0xEB14_0101));
        assertEquals(DeviceSignature.SEMB, DeviceSignature.of(0xC33C_0101));
        assertEquals(DeviceSignature.PORT_MULTIPLIER, DeviceSignature.of(0x9669_0101));
        assertEquals(DeviceSignature.UNKNOWN, DeviceSignature.of(0xFFFF_FFFF));
        assertEquals(DeviceSignature.UNKNOWN, DeviceSignature.of(0));
        assertEquals(DeviceSignature.UNKNOWN, DeviceSignature.of(0xEB14_0000));
    }
}
