package io.jahci.miniport;

import io.jahci.ahci.Bohc;
import io.jahci.ahci.Cap2;
import io.jahci.ahci.DeviceSignature;
import io.jahci.ahci.HbaRegister;
import io.jahci.hw.RegisterWindow;
import io.jahci.hw.Transport;
import io.jahci.hw.qemu.QemuConfig;
import io.jahci.hw.qemu.QemuTransport;
import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.mockito.Mockito.*;

/** HBA and port bring-up against QEMU: signatures, empty ports, firmware handoff. */
@Tag("qemu")
class BringUpQemuTest {
    @TempDir
    Path dir;

    @Test
    void detectsAtaAtapiAndEmptyPortsAndTriesComresetOnEmptyOnes() throws Exception {
        Path image = Images.create(dir, "a.img", 4 << 20);
        QemuConfig config = QemuConfig.fromEnvironment(List.of(image.toString())).withExtraArgs(List.of(
                "-drive", "if=none,id=cd,media=cdrom", "-device", "ide-cd,drive=cd,bus=ahci1.3"));
        try (QemuTransport t = QemuTransport.open(config); AhciHba hba = AhciHba.open(t, AhciHba.Config.defaults())) {
            List<AhciPort> ports = hba.ports();
            assertEquals(PortState.READY, ports.get(0).state());
            assertEquals(DeviceSignature.ATA, ports.get(0).signature());
            assertEquals(PortState.READY, ports.get(3).state(), "an ATAPI device is driven with PACKET commands");
            assertEquals(DeviceSignature.ATAPI, ports.get(3).signature());
            assertEquals("QEMU DVD-ROM", ports.get(3).identity().model(), "from IDENTIFY PACKET DEVICE");
            assertEquals(0b10, ports.get(3).identity().word(0) >>> 14, "word 0: an ATAPI device");
            assertEquals(2048, ports.get(3).sectorSize());
            assertEquals(PortState.NO_DEVICE, ports.get(2).state());
            assertTrue(ports.get(2).history().contains("COMRESET"), ports.get(2).history());
            assertFalse(ports.get(0).history().contains("COMRESET"), "a port with a disk needs no COMRESET");
        }
    }

    /**
     * QEMU's HBA has no BIOS/OS handoff (AHCI 1.0, no CAP2). A firmware that claims the HBA and never
     * lets go is injected by spying on the real register window: VS says AHCI 1.2 (CAP2 and BOHC
     * exist), reads of CAP2 say BOH, reads of BOHC say the BIOS owns it and is busy. Bring-up must wait the §10.6.3 times, warn, and go on.
     */
    @Test
    void aFirmwareThatNeverReleasesTheHbaIsWarnedAboutAndIgnored() throws Exception {
        Path image = Images.create(dir, "a.img", 4 << 20);
        try (QemuTransport qemu = QemuTransport.open(QemuConfig.fromEnvironment(List.of(image.toString())))) {
            RegisterWindow abar = spy(qemu.abar());
            doReturn(0x0001_0200).when(abar).read32(HbaRegister.VS.offset());
            doReturn(Cap2.BOH.mask()).when(abar).read32(HbaRegister.CAP2.offset());
            doReturn(Bohc.BOS.mask() | Bohc.BB.mask()).when(abar).read32(HbaRegister.BOHC.offset());
            Transport transport = spy(qemu);
            doReturn(abar).when(transport).abar();
            Timeouts quick = new Timeouts(25, 200, 1_000, 500, 1, 100, 1_000, 10_000, 30_000);
            long start = System.nanoTime();
            try (AhciHba hba = AhciHba.open(transport, AhciHba.Config.defaults().withPorts(AhciPortOptions.DEFAULT.withTimeouts(quick)))) {
                long waitedMillis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(waitedMillis >= 225, "waited for BOS, then for the busy BIOS: " + waitedMillis + " ms");
                assertEquals(1, hba.warnings().size(), hba.warnings().toString());
                assertTrue(hba.warnings().get(0).contains("did not release the HBA"), hba.warnings().get(0));
                verify(abar, atLeastOnce()).write32(HbaRegister.BOHC.offset(), Bohc.OOS.mask() | Bohc.BOS.mask() | Bohc.BB.mask());
                assertEquals(PortState.READY, hba.ports().get(0).state(), "the disk still comes up");
            }
        }
    }
}
