package io.jahci.hw.pci;

import io.jahci.hw.RefusedException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.*;

/** bind/unbind through driver_override, unbind and drivers_probe, against a fake kernel. */
class PciBinderTest {
    static final String CTRL = "0000:00:05.0";

    @TempDir
    Path dir;
    FakeSysfs fs;
    FakeSysfs.Kernel kernel;
    PciDevices devices;
    PciBinder binder;

    @BeforeEach
    void tree() throws Exception {
        fs = new FakeSysfs(dir);
        fs.pci(CTRL, 0x8086, 0x2922, 0x010601).bindTo(CTRL, "ahci").group(CTRL, 4);
        kernel = fs.new Kernel();
        devices = new PciDevices(fs.sysRoot);
        binder = new PciBinder(devices, kernel);
    }

    @Test
    void bindVfioLoadsTheModuleOverridesUnbindsAndProbes() throws Exception {
        String said = binder.bind(CTRL, PciBinder.Target.VFIO);
        assertEquals(List.of("modprobe vfio-pci",
                "sys/bus/pci/devices/" + CTRL + "/driver_override=vfio-pci\\n",
                "sys/bus/pci/drivers/ahci/unbind=" + CTRL,
                "sys/bus/pci/drivers_probe=" + CTRL), kernel.log);
        assertEquals("vfio-pci", devices.driver(CTRL).orElseThrow());
        assertEquals(CTRL + " is bound to vfio-pci (was ahci); IOMMU group 4 (/dev/vfio/4)", said);
    }

    @Test
    void bindUioFromNoDriver() throws Exception {
        fs.unbindDriver(CTRL);
        fs.driver("uio_pci_generic");
        binder.bind(CTRL, PciBinder.Target.UIO);
        assertEquals(List.of("sys/bus/pci/devices/" + CTRL + "/driver_override=uio_pci_generic\\n",
                "sys/bus/pci/drivers_probe=" + CTRL), kernel.log);
        assertEquals("uio_pci_generic", devices.driver(CTRL).orElseThrow());
    }

    @Test
    void bindingTwiceIsANoOp() throws Exception {
        fs.bindTo(CTRL, "vfio-pci");
        assertTrue(binder.bind(CTRL, PciBinder.Target.VFIO).contains("already bound to vfio-pci"));
        assertTrue(kernel.log.isEmpty());
    }

    @Test
    void vfioWithoutIommuGroupWarnsToEnableTheIommu() throws Exception {
        fs.pci("0000:00:06.0", 0x8086, 0x2922, 0x010601);
        String said = binder.bind("0000:00:06.0", PciBinder.Target.VFIO);
        assertTrue(said.contains("no IOMMU group") && said.contains("intel_iommu=on"), said);
    }

    @Test
    void refusesWhileADiskIsMountedAndChangesNothing() throws Exception {
        fs.disk(CTRL, 0, "sda", 8, 0, 1);
        fs.mount("/dev/sda1", "/mnt", "ext2");
        RefusedException e = assertThrows(RefusedException.class, () -> binder.bind(CTRL, PciBinder.Target.VFIO));
        assertTrue(e.getMessage().startsWith("refusing to take " + CTRL + " from the kernel's ahci driver: "
                + "sda1 is mounted on /mnt (ext2)"), e.getMessage());
        assertTrue(kernel.log.isEmpty());
        assertEquals("ahci", devices.driver(CTRL).orElseThrow());
    }

    @Test
    void refusesSwapAndHolders() throws Exception {
        Path sda = fs.disk(CTRL, 0, "sda", 8, 0, 2);
        fs.swap("/dev/sda2");
        fs.holder(sda, "dm-3");
        RefusedException e = assertThrows(RefusedException.class, () -> binder.bind(CTRL, PciBinder.Target.UIO));
        assertTrue(e.getMessage().contains("sda2 is active swap"), e.getMessage());
        assertTrue(e.getMessage().contains("sda is held by dm-3"), e.getMessage());
        assertTrue(kernel.log.isEmpty());
    }

    @Test
    void refusesANonAhciFunction() throws Exception {
        fs.pci("0000:00:02.0", 0x1af4, 0x1000, 0x020000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> binder.bind("0000:00:02.0", PciBinder.Target.VFIO));
        assertTrue(e.getMessage().contains("not an AHCI controller"), e.getMessage());
    }

    @Test
    void unknownAddress() {
        assertThrows(NoSuchPciDeviceException.class, () -> binder.bind("0000:00:09.0", PciBinder.Target.VFIO));
        assertThrows(NoSuchPciDeviceException.class, () -> binder.unbind("0000:00:09.0"));
    }

    @Test
    void aProbeThatDoesNotTakeIsAnError() throws Exception {
        fs.driver("vfio-pci");
        kernel.probeBinds = false;
        IOException e = assertThrows(IOException.class, () -> binder.bind(CTRL, PciBinder.Target.VFIO));
        assertTrue(e.getMessage().contains("did not take") && e.getMessage().contains("no driver"), e.getMessage());
    }

    @Test
    void unbindGivesTheControllerBackToAhci() throws Exception {
        fs.bindTo(CTRL, "vfio-pci");
        String said = binder.unbind(CTRL);
        assertEquals(List.of("sys/bus/pci/devices/" + CTRL + "/driver_override=\\n",
                "sys/bus/pci/drivers/vfio-pci/unbind=" + CTRL,
                "sys/bus/pci/drivers_probe=" + CTRL), kernel.log);
        assertEquals("ahci", devices.driver(CTRL).orElseThrow());
        assertEquals(CTRL + " is bound to the kernel's ahci driver (was vfio-pci)", said);
        assertTrue(binder.unbind(CTRL).contains("already bound"));
    }

    @Test
    void unbindLoadsAhciWhenItIsMissing() throws Exception {
        FakeSysfs other = new FakeSysfs(dir.resolve("other"));
        other.pci(CTRL, 0x8086, 0x2922, 0x010601).bindTo(CTRL, "uio_pci_generic");
        FakeSysfs.Kernel k = other.new Kernel();
        new PciBinder(new PciDevices(other.sysRoot), k).unbind(CTRL);
        assertEquals("modprobe ahci", k.log.get(0));
        assertEquals("ahci", new PciDevices(other.sysRoot).driver(CTRL).orElseThrow());
    }

    @Test
    void aFailedUnbindStopsBeforeProbing() throws Exception {
        fs.driver("vfio-pci");
        SysfsKernel failing = mock(SysfsKernel.class);
        doThrow(new IOException("writing '0000:00:05.0' to .../unbind failed: Device or resource busy"))
                .when(failing).write(argThat(p -> p.getFileName().toString().equals("unbind")), anyString());
        PciBinder b = new PciBinder(devices, failing);
        IOException e = assertThrows(IOException.class, () -> b.bind(CTRL, PciBinder.Target.VFIO));
        assertTrue(e.getMessage().contains("busy"), e.getMessage());
        verify(failing, never()).write(eq(fs.sysRoot.driversProbe()), any());
    }

    @Test
    void aFailedModprobeIsReported() throws Exception {
        SysfsKernel failing = mock(SysfsKernel.class);
        doThrow(new IOException("modprobe vfio-pci failed (exit 1): FATAL: Module vfio-pci not found"))
                .when(failing).loadModule("vfio-pci");
        IOException e = assertThrows(IOException.class,
                () -> new PciBinder(devices, failing).bind(CTRL, PciBinder.Target.VFIO));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
        verify(failing, never()).write(any(), any());
    }
}
