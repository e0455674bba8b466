package io.jahci.hw.vfio;

import com.sun.jna.Memory;
import io.jahci.hw.DmaMemory;
import io.jahci.hw.DmaPool;
import io.jahci.hw.FdPciFunction;
import io.jahci.hw.InterruptSource;
import io.jahci.hw.MappedRegisterWindow;
import io.jahci.hw.PciFunction;
import io.jahci.hw.RegisterWindow;
import io.jahci.hw.Release;
import io.jahci.hw.ReleaseOnExit;
import io.jahci.hw.Transport;
import io.jahci.hw.pci.DeviceNotBoundException;
import io.jahci.hw.pci.NoSuchPciDeviceException;
import io.jahci.hw.pci.PciDevices;
import io.jahci.hw.pci.SysRoot;
import io.jahci.platform.Errno;
import io.jahci.platform.EventFd;
import io.jahci.platform.Linux;
import io.jahci.platform.NativeException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An AHCI controller bound to vfio-pci (Documentation/driver-api/vfio.rst): container, group and
 * device fds; BAR5 mmapped; config space through the config region; DMA memory pinned and mapped
 * in the IOMMU at IOVAs this transport chooses; the interrupt (MSI or INTx) on an eventfd.
 *
 * <p>Works as a non-root user who owns {@code /dev/vfio/N} and whose {@code ulimit -l} covers the
 * pinned memory ({@link DmaPool#REGION_BYTES} per region, two or three regions).
 *
 * <p>Release (close, or the shutdown hook on Ctrl-C/exit): interrupts torn down, bus mastering
 * off, DMA unmapped from the IOMMU, fds closed. vfio-pci then resets the function if it can, and the
 * kernel's ahci driver can take it ({@code jahci unbind}) and resets the HBA itself.
 */
public final class VfioTransport implements Transport, ReleaseOnExit.Releasable {
    public static final String DRIVER = "vfio-pci";
    /** IOVAs stay below 4 GiB, so a controller without CAP.S64A works too. */
    private static final long IOVA_LIMIT = 1L << 32;
    private static final long REGION_IOVA_ALIGNMENT = 2L * 1024 * 1024;

    private final String address;
    private final String group;
    private final List<String> warnings = new ArrayList<>();
    private int containerFd = -1;
    private int groupFd = -1;
    private int deviceFd = -1;
    private long barAddress;
    private long barSize;
    private FdPciFunction pci;
    private MappedRegisterWindow abar;
    private DmaPool dma;
    private IovaAllocator iovas;
    private VfioInterruptSource interrupt;
    private VfioDeviceRequest deviceRequest;
    private boolean resetDone;
    private boolean closed;

    private VfioTransport(String address, String group) {
        this.address = address;
        this.group = group;
    }

    /**
     * Opens {@code address} (full form, already validated), which must be bound to vfio-pci.
     *
     * @throws NoSuchPciDeviceException  no such function
     * @throws DeviceNotBoundException   bound to another driver (says which bind command to run)
     * @throws IOException               VFIO refused; the message names the permission, limit or group to fix
     */
    public static VfioTransport open(String address, IrqMode irq) throws IOException {
        PciDevices devices = new PciDevices(SysRoot.SYSTEM);
        devices.requireBound(address, DRIVER, "--vfio");
        Optional<String> group = devices.iommuGroup(address);
        if (group.isEmpty()) {
            throw new IOException(address + " has no IOMMU group: VFIO needs the IOMMU. Enable VT-d/AMD-Vi in the "
                    + "firmware and boot with intel_iommu=on (or amd_iommu=on); without an IOMMU use "
                    + "`jahci bind --uio " + address + "` and --device uio:" + address);
        }
        return ReleaseOnExit.open(new VfioTransport(address, group.get()), t -> {
            t.openContainer();
            t.openGroup(devices);
            t.openDevice();
            t.openDma(devices);
            t.openInterrupt(irq);
            t.openDeviceRequest();
        });
    }

    private static Memory struct(int size) {
        Memory m = new Memory(size);
        m.clear();
        return m;
    }

    private static ByteBuffer view(Memory m) {
        return m.getByteBuffer(0, m.size());
    }

    private void openContainer() throws IOException {
        try {
            containerFd = Linux.open("/dev/vfio/vfio", Linux.O_RDWR);
        } catch (NativeException e) {
            if (e.errno() == Errno.ENOENT) {
                throw new IOException("/dev/vfio/vfio does not exist: load VFIO with `modprobe vfio-pci` (or run "
                        + "`jahci bind --vfio " + address + "`)", e);
            }
            throw new IOException("cannot open the VFIO container /dev/vfio/vfio: " + e.getMessage(), e);
        }
        int version = Linux.ioctl(containerFd, Vfio.GET_API_VERSION, 0L, "VFIO_GET_API_VERSION");
        if (version != Vfio.API_VERSION) {
            throw new IOException("the kernel's VFIO API version is " + version + ", jahci speaks " + Vfio.API_VERSION);
        }
        if (Linux.ioctl(containerFd, Vfio.CHECK_EXTENSION, Vfio.TYPE1_IOMMU, "VFIO_CHECK_EXTENSION(TYPE1)") <= 0) {
            throw new IOException("the kernel's VFIO has no type1 IOMMU backend (vfio_iommu_type1); "
                    + "load it with `modprobe vfio_iommu_type1`");
        }
    }

    private void openGroup(PciDevices devices) throws IOException {
        String path = "/dev/vfio/" + group;
        try {
            groupFd = Linux.open(path, Linux.O_RDWR);
        } catch (NativeException e) {
            switch (e.errno()) {
                case Errno.EACCES, Errno.EPERM -> throw new IOException("no permission to open " + path + " (IOMMU group "
                        + group + " of " + address + "): run as root, or give your user the group: `sudo chown "
                        + System.getProperty("user.name") + " " + path + "` (and allow pinning memory: `ulimit -l`)", e);
                case Errno.EBUSY -> throw new IOException(path + " is busy: another process (QEMU, another jahci) has"
                        + " IOMMU group " + group + " open", e);
                case Errno.ENOENT -> throw new IOException(path + " does not exist although " + address
                        + " is bound to vfio-pci; is vfio-pci loaded for this kernel (dmesg)?", e);
                default -> throw e;
            }
        }
        Memory status = struct(Vfio.GROUP_STATUS_SIZE);
        Vfio.encodeGroupStatus(view(status));
        Linux.ioctl(groupFd, Vfio.GROUP_GET_STATUS, status, "VFIO_GROUP_GET_STATUS(" + path + ")");
        if (!Vfio.viable(view(status))) {
            throw new IOException(notViable(devices));
        }
        Memory fd = struct(4);
        fd.setInt(0, containerFd);
        Linux.ioctl(groupFd, Vfio.GROUP_SET_CONTAINER, fd, "VFIO_GROUP_SET_CONTAINER");
        int type = Linux.ioctl(containerFd, Vfio.CHECK_EXTENSION, Vfio.TYPE1V2_IOMMU, "VFIO_CHECK_EXTENSION(TYPE1v2)") > 0
                ? Vfio.TYPE1V2_IOMMU : Vfio.TYPE1_IOMMU;
        Linux.ioctl(containerFd, Vfio.SET_IOMMU, type, "VFIO_SET_IOMMU(type1)");
    }

    /** Why the group is not viable: its other members and their drivers, and what to do. */
    private String notViable(PciDevices devices) throws IOException {
        List<String> others = devices.groupBlockers(address, group);
        return "IOMMU group " + group + " of " + address + " is not viable: every device in a group must be bound to "
                + "vfio-pci (or to no driver) before any can be used, and these are not: " + String.join(", ", others)
                + ". Bind them to vfio-pci too (echo vfio-pci > /sys/bus/pci/devices/BDF/driver_override; "
                + "echo BDF > /sys/bus/pci/drivers_probe) if nothing else needs them, or put the controller in a slot"
                + " with its own IOMMU group (behind an ACS-capable port)";
    }

    private void openDevice() throws IOException {
        Memory name = new Memory(address.length() + 1);
        name.setString(0, address, "US-ASCII");
        deviceFd = Linux.ioctl(groupFd, Vfio.GROUP_GET_DEVICE_FD, name, "VFIO_GROUP_GET_DEVICE_FD(" + address + ")");
        Memory infoStruct = struct(Vfio.DEVICE_INFO_SIZE);
        Vfio.encodeDeviceInfo(view(infoStruct));
        Linux.ioctl(deviceFd, Vfio.DEVICE_GET_INFO, infoStruct, "VFIO_DEVICE_GET_INFO");
        Vfio.DeviceInfo info = Vfio.decodeDeviceInfo(view(infoStruct));
        if (!info.isPci() || info.numRegions() <= Vfio.PCI_CONFIG_REGION_INDEX) {
            throw new IOException(address + " is not a vfio-pci device (flags 0x" + Integer.toHexString(info.flags())
                    + ", " + info.numRegions() + " regions)");
        }
        if (info.resetOffered()) {
            try {
                Linux.ioctl(deviceFd, Vfio.DEVICE_RESET, 0L, "VFIO_DEVICE_RESET");
                resetDone = true;
            } catch (NativeException e) {
                warnings.add("device reset offered but failed: " + e.getMessage());
            }
        }
        Vfio.RegionInfo config = regionInfo(Vfio.PCI_CONFIG_REGION_INDEX);
        pci = new FdPciFunction(address, deviceFd, config.offset(), "VFIO config region of " + address);
        pci.requireAhciClass(address);
        Vfio.RegionInfo bar5 = regionInfo(Vfio.PCI_BAR5_REGION_INDEX);
        if (bar5.size() == 0 || !bar5.mappable()) {
            throw new IOException("BAR5 (ABAR) of " + address + " is " + (bar5.size() == 0 ? "not implemented"
                    : "not mappable (VFIO region flags 0x" + Integer.toHexString(bar5.flags()) + ")"));
        }
        barSize = bar5.size();
        barAddress = Linux.mmap(barSize, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, deviceFd, bar5.offset(),
                "BAR5 of " + address);
        abar = new MappedRegisterWindow(barAddress, barSize);
        int command = pci.readConfig16(PciFunction.COMMAND);
        pci.writeConfig16(PciFunction.COMMAND, command | PciFunction.COMMAND_MEMORY_SPACE | PciFunction.COMMAND_BUS_MASTER);
    }

    private Vfio.RegionInfo regionInfo(int index) throws NativeException {
        Memory m = struct(Vfio.REGION_INFO_SIZE);
        Vfio.encodeRegionInfo(view(m), index);
        Linux.ioctl(deviceFd, Vfio.DEVICE_GET_REGION_INFO, m, "VFIO_DEVICE_GET_REGION_INFO(" + index + ")");
        return Vfio.decodeRegionInfo(view(m));
    }

    private void openDma(PciDevices devices) throws IOException {
        Path reserved = devices.root().iommuGroup(group).resolve("reserved_regions");
        List<long[]> ranges = Files.isReadable(reserved) ? Vfio.parseReservedRegions(Files.readAllLines(reserved)) : List.of();
        iovas = new IovaAllocator(ranges, IOVA_LIMIT);
        dma = new DmaPool(this::newRegion, DmaPool.REGION_BYTES);
    }

    private DmaPool.Region newRegion(long bytes) throws IOException {
        long size = (bytes + REGION_IOVA_ALIGNMENT - 1) & -REGION_IOVA_ALIGNMENT;
        long vaddr = Linux.mmap(size, Linux.PROT_READ | Linux.PROT_WRITE,
                Linux.MAP_PRIVATE | Linux.MAP_ANONYMOUS | Linux.MAP_POPULATE, -1, 0, "DMA memory");
        long iova;
        try {
            iova = iovas.allocate(size, REGION_IOVA_ALIGNMENT);
            Memory map = struct(Vfio.DMA_MAP_SIZE);
            Vfio.encodeDmaMap(view(map), vaddr, iova, size);
            try {
                Linux.ioctl(containerFd, Vfio.IOMMU_MAP_DMA, map, "VFIO_IOMMU_MAP_DMA");
            } catch (NativeException e) {
                if (e.errno() == Errno.ENOMEM || e.errno() == Errno.EPERM) {
                    throw new IOException("VFIO could not pin " + size / 1024 + " KiB of DMA memory for " + address
                            + " (" + e.errnoName() + "): the locked-memory limit is too low. Raise it with `ulimit -l "
                            + Math.max(65536, 4 * size / 1024) + "` (KiB; RLIMIT_MEMLOCK, or memlock in "
                            + "/etc/security/limits.conf) or run as root", e);
                }
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            Linux.munmap(vaddr, size);
            throw e;
        }
        return new IommuRegion(vaddr, iova, size);
    }

    /** An anonymous mapping pinned and mapped at one IOVA range: contiguous for the device end to end. */
    private final class IommuRegion implements DmaPool.Region {
        private final long vaddr;
        private final long iova;
        private final long size;
        private boolean released;

        IommuRegion(long vaddr, long iova, long size) {
            this.vaddr = vaddr;
            this.iova = iova;
            this.size = size;
        }

        @Override
        public long address() {
            return vaddr;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public long busAddress(long offset) {
            return iova + offset;
        }

        @Override
        public long contiguousBytes(long offset) {
            return size - offset;
        }

        @Override
        public long busAlignment() {
            return REGION_IOVA_ALIGNMENT;
        }

        /** Removes the IOMMU mapping (the device can no longer reach the memory), then the memory. */
        void unmapFromIommu() throws NativeException {
            Memory unmap = struct(Vfio.DMA_UNMAP_SIZE);
            Vfio.encodeDmaUnmap(view(unmap), iova, size);
            Linux.ioctl(containerFd, Vfio.IOMMU_UNMAP_DMA, unmap, "VFIO_IOMMU_UNMAP_DMA(iova 0x"
                    + Long.toHexString(iova) + ")");
        }

        @Override
        public synchronized void close() {
            if (released) {
                return;
            }
            released = true;
            try {
                unmapFromIommu();
                Linux.munmap(vaddr, size);
            } catch (NativeException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }

    private void openInterrupt(IrqMode mode) throws IOException {
        Vfio.IrqInfo msi = irqInfo(Vfio.PCI_MSI_IRQ_INDEX);
        int index;
        if (mode == IrqMode.MSI) {
            if (msi.count() < 1) {
                throw new IllegalArgumentException(address + " offers no MSI through VFIO (MSI count 0): use --irq intx");
            }
            index = Vfio.PCI_MSI_IRQ_INDEX;
        } else if (mode == IrqMode.INTX || msi.count() < 1) {
            Vfio.IrqInfo intx = irqInfo(Vfio.PCI_INTX_IRQ_INDEX);
            if (intx.count() < 1) {
                throw new IOException(address + " has neither MSI nor an INTx line that VFIO can deliver "
                        + "(no interrupt pin, or INTx masking unsupported)");
            }
            index = Vfio.PCI_INTX_IRQ_INDEX;
        } else {
            index = Vfio.PCI_MSI_IRQ_INDEX;
        }
        EventFd eventFd = EventFd.create();
        try {
            Memory set = struct(Vfio.IRQ_SET_HEADER_SIZE + 4);
            Vfio.encodeIrqSetEventFd(view(set), index, eventFd.fd());
            Linux.ioctl(deviceFd, Vfio.DEVICE_SET_IRQS, set, "VFIO_DEVICE_SET_IRQS("
                    + (index == Vfio.PCI_MSI_IRQ_INDEX ? "MSI" : "INTx") + " eventfd)");
        } catch (NativeException | RuntimeException e) {
            eventFd.close();
            throw e;
        }
        interrupt = new VfioInterruptSource(deviceFd, index, eventFd);
    }

    /**
     * Registers an eventfd for vfio-pci's device request (VFIO_PCI_REQ_IRQ_INDEX), so that an unbind
     * or removal reaches jahci instead of blocking in the kernel ({@link VfioDeviceRequest}). Kernels
     * without it (count 0) are left as they are: their unbind waits until jahci exits.
     */
    private void openDeviceRequest() throws IOException {
        Vfio.IrqInfo req = irqInfo(Vfio.PCI_REQ_IRQ_INDEX);
        if (req.count() < 1 || (req.flags() & Vfio.IRQ_INFO_EVENTFD) == 0) {
            warnings.add("vfio-pci offers no device request channel: an unbind waits until jahci exits");
            return;
        }
        EventFd eventFd = EventFd.create();
        try {
            Memory set = struct(Vfio.IRQ_SET_HEADER_SIZE + 4);
            Vfio.encodeIrqSetEventFd(view(set), Vfio.PCI_REQ_IRQ_INDEX, eventFd.fd());
            Linux.ioctl(deviceFd, Vfio.DEVICE_SET_IRQS, set, "VFIO_DEVICE_SET_IRQS(device request eventfd)");
        } catch (NativeException | RuntimeException e) {
            eventFd.close();
            throw e;
        }
        deviceRequest = new VfioDeviceRequest(address, eventFd);
    }

    /**
     * Runs {@code listener} once, on a transport thread, when the kernel asks for the device back;
     * it must close this transport promptly (the kernel's unbind waits until then).
     */
    @Override
    public void onDeviceRequest(Runnable listener) {
        if (deviceRequest != null) {
            deviceRequest.onRequest(listener);
        }
    }

    private Vfio.IrqInfo irqInfo(int index) throws NativeException {
        Memory m = struct(Vfio.IRQ_INFO_SIZE);
        Vfio.encodeIrqInfo(view(m), index);
        Linux.ioctl(deviceFd, Vfio.DEVICE_GET_IRQ_INFO, m, "VFIO_DEVICE_GET_IRQ_INFO(" + index + ")");
        return Vfio.decodeIrqInfo(view(m));
    }

    @Override
    public String describe() {
        return "vfio " + address + " (IOMMU group " + group + ", " + (interrupt == null ? "no interrupt"
                : interrupt.isIntx() ? "INTx" : "MSI") + (resetDone ? ", reset" : "") + ")";
    }

    /** Things that went wrong but did not stop the open (e.g. a failed optional reset). */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    @Override
    public PciFunction pci() {
        return pci;
    }

    @Override
    public RegisterWindow abar() {
        return abar;
    }

    @Override
    public DmaMemory allocateDma(long size, long alignment) throws IOException {
        return dma.allocate(size, alignment);
    }

    /** IOVAs are chosen below 4 GiB. */
    @Override
    public boolean mayAllocateAbove4G() {
        return false;
    }

    @Override
    public InterruptSource interrupt() {
        return interrupt;
    }

    /** Stops the device's interrupts and DMA; leaves process mappings (the JVM is exiting). */
    @Override
    public void beforeReleaseAtExit(Runnable quiesce) {
        ReleaseOnExit.beforeRelease(this, quiesce);
    }

    @Override
    public synchronized void releaseAtExit() {
        release(false);
    }

    @Override
    public synchronized void close() {
        release(true);
    }

    private void release(boolean unmapMemory) {
        if (closed) {
            return;
        }
        closed = true;
        ReleaseOnExit.unregister(this);
        Release r = new Release(address);
        if (interrupt != null) {
            interrupt.markClosed();
            r.step("disabling the interrupt", () -> {
                Memory off = struct(Vfio.IRQ_SET_HEADER_SIZE);
                Vfio.encodeIrqDisable(view(off), interrupt.isIntx() ? Vfio.PCI_INTX_IRQ_INDEX : Vfio.PCI_MSI_IRQ_INDEX);
                Linux.ioctl(deviceFd, Vfio.DEVICE_SET_IRQS, off, "VFIO_DEVICE_SET_IRQS(disable)");
            });
        }
        if (deviceRequest != null) {
            r.step("turning the device request off", () -> {
                Memory off = struct(Vfio.IRQ_SET_HEADER_SIZE);
                Vfio.encodeIrqDisable(view(off), Vfio.PCI_REQ_IRQ_INDEX);
                Linux.ioctl(deviceFd, Vfio.DEVICE_SET_IRQS, off, "VFIO_DEVICE_SET_IRQS(device request off)");
                deviceRequest.close();
            });
        }
        if (pci != null) {
            r.step("clearing bus master", () -> pci.writeConfig16(PciFunction.COMMAND,
                    pci.readConfig16(PciFunction.COMMAND) & ~PciFunction.COMMAND_BUS_MASTER));
        }
        if (unmapMemory && dma != null) {
            r.step("unmapping DMA memory", dma::close);
        }
        if (unmapMemory && barAddress != 0) {
            r.step("unmapping BAR5", () -> Linux.munmap(barAddress, barSize));
        }
        // Closing the device fd lets vfio-pci disable and (if it can) reset the function; closing the
        // group fd detaches it from the container, which drops every remaining IOMMU mapping.
        for (int fd : new int[] {deviceFd, groupFd, containerFd}) {
            if (fd >= 0) {
                r.step("closing fd " + fd, () -> Linux.close(fd));
            }
        }
        if (unmapMemory && interrupt != null) {
            r.step("closing the eventfd", interrupt::close);
        }
        r.done();
    }
}
