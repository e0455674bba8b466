package io.jahci.miniport;

import io.jahci.hw.DeviceLostException;
import io.jahci.hw.PciFunction;
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
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.when;

/** All-ones reads of registers a live controller never reads as all ones mark the controller lost, once. */
class ControllerLossTest {
    @TempDir
    Path dir;

    @Test
    void allOnesIsLossAndTheVendorIdSaysWhetherTheFunctionIsGone() throws Exception {
        PciFunction gone = mock(PciFunction.class);
        when(gone.readConfig32(0)).thenReturn(0xffff_ffff);
        ControllerLoss loss = new ControllerLoss("vfio 0000:00:05.0", () -> gone);
        assertEquals(0x3f, loss.check(0x3f, "HBA IS"));
        assertFalse(loss.isLost());
        DeviceLostException e = assertThrows(DeviceLostException.class, () -> loss.check(-1, "PxIS of port 2"));
        assertTrue(loss.isLost());
        assertTrue(e.getMessage().startsWith("vfio 0000:00:05.0: the controller is lost (PxIS of port 2 reads 0xffffffff"),
                e.getMessage());
        assertTrue(e.getMessage().contains("vendor ID reads 0xffff too: the function is gone"), e.getMessage());
        loss.lose("a later cause");
        assertTrue(loss.reason().startsWith("PxIS of port 2"), "the first cause is kept: " + loss.reason());
    }

    @Test
    void aBarThatReadsAllOnesWhileConfigSpaceAnswersSaysSo() throws Exception {
        PciFunction alive = mock(PciFunction.class);
        when(alive.readConfig32(0)).thenReturn(0x2922_8086);
        ControllerLoss loss = new ControllerLoss("uio 0000:00:05.0", () -> alive);
        DeviceLostException e = assertThrows(DeviceLostException.class, () -> loss.check(-1, "CAP"));
        assertTrue(e.getMessage().contains("config space still answers, vendor 8086 device 2922"), e.getMessage());
    }

    /** QEMU's real controller, with its CAP reading all ones as a removed device's would. */
    @Tag("qemu")
    @Test
    void bringUpOfAControllerWhoseCapReadsAllOnesFailsNamingIt() throws Exception {
        Path image = Images.create(dir, "l.img", 1 << 20);
        try (QemuTransport qemu = QemuTransport.open(QemuConfig.fromEnvironment(List.of(image.toString())))) {
            Transport transport = spy(qemu);
            RegisterWindow abar = spy(qemu.abar());
            doReturn(abar).when(transport).abar();
            doReturn(0xffff_ffff).when(abar).read32(eq(0));
            DeviceLostException e = assertThrows(DeviceLostException.class,
                    () -> AhciHba.open(transport, AhciHba.Config.defaults()).close());
            assertTrue(e.getMessage().startsWith(qemu.describe() + ": the controller is lost (CAP reads 0xffffffff"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("vendor 8086 device 2922"), e.getMessage());
        }
    }
}
