package io.jahci.hw.uio;

import io.jahci.hw.Below4G;
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
import io.jahci.platform.Linux;
import io.jahci.platform.NativeException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * An AHCI controller bound to uio_pci_generic (Documentation/driver-api/uio-howto.rst): BAR5
 * mmapped through sysfs {@code resource5}, config space through sysfs {@code config}, INTx on
 * {@code /dev/uioN}, and DMA memory locked in RAM whose bus addresses are its physical addresses
 * from {@code /proc/self/pagemap}. There is no IOMMU in this path: it needs root, and a wrong
 * address lands in someone else's memory. Prefer VFIO wherever there is an IOMMU.
 *
 * <p>DMA memory: regions backed by 2 MiB hugetlb pages when the system has them reserved
 * ({@code /proc/sys/vm/nr_hugepages}), otherwise 2 MiB-aligned anonymous memory advised to use
 * transparent huge pages; either way the physical layout is read per 4 KiB page and
 * {@link DmaMemory#contiguousBytes} reports exactly where it breaks. Locked pages are not swapped;
 * hugetlb pages are also never migrated, which makes them the safer choice for long runs.
 */
public final class UioTransport implements Transport, ReleaseOnExit.Releasable {
    public static final String DRIVER = "uio_pci_generic";
    private static final long HUGE = 2L * 1024 * 1024;

    private final String address;
    private final Path sysfs;
    private String uioName;
    private int uioFd = -1;
    private int configFd = -1;
    private long barAddress;
    private long barSize;
    private FdPciFunction pci;
    private MappedRegisterWindow abar;
    private UioInterruptSource interrupt;
    private DmaPool dma;
    /** Set once at bring-up (PASSIVE) for an HBA without CAP.S64A; read under the pool's lock. */
    private volatile boolean below4G;
    private final List<String> memoryKinds = new ArrayList<>();
    private boolean closed;

    private UioTransport(String address, Path sysfs) {
        this.address = address;
        this.sysfs = sysfs;
    }

    /**
     * Opens {@code address} (full form, already validated), which must be bound to uio_pci_generic.
     *
     * @throws NoSuchPciDeviceException no such function
     * @throws DeviceNotBoundException  bound to another driver (says which bind command to run)
     */
    public static UioTransport open(String address) throws IOException {
        new PciDevices(SysRoot.SYSTEM).requireBound(address, DRIVER, "--uio");
        return ReleaseOnExit.open(new UioTransport(address, SysRoot.SYSTEM.pciDevice(address)), UioTransport::openDevice);
    }

    private void openDevice() throws IOException {
        Path uioDir = sysfs.resolve("uio");
        try (Stream<Path> s = Files.list(uioDir)) {
            uioName = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("uio")).findFirst()
                    .orElseThrow(() -> new IOException(uioDir + " lists no uioN device"));
        }
        String devPath = "/dev/" + uioName;
        try {
            uioFd = Linux.open(devPath, Linux.O_RDWR | O_NONBLOCK);
        } catch (NativeException e) {
            if (e.errno() == Errno.EACCES || e.errno() == Errno.EPERM) {
                throw new IOException("no permission to open " + devPath + " (" + address + "): UIO needs root "
                        + "(bus addresses come from /proc/self/pagemap, which only root can read)", e);
            }
            throw new IOException("cannot open " + devPath + " for " + address + ": " + e.getMessage(), e);
        }
        configFd = openSysfs("config");
        pci = new FdPciFunction(address, configFd, 0, "sysfs config of " + address);
        pci.requireAhciClass(address);
        Path resource = sysfs.resolve("resource5");
        if (!Files.exists(resource) || Files.size(resource) == 0) {
            throw new IOException(address + " has no memory BAR5 (ABAR) to map (" + resource + ")");
        }
        barSize = Files.size(resource);
        int resourceFd = openSysfs("resource5");
        try {
            barAddress = Linux.mmap((barSize + Pagemap.PAGE_SIZE - 1) & -Pagemap.PAGE_SIZE,
                    Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, resourceFd, 0, resource.toString());
        } finally {
            Linux.close(resourceFd);
        }
        abar = new MappedRegisterWindow(barAddress, barSize);
        int command = pci.readConfig16(PciFunction.COMMAND);
        command = (command | PciFunction.COMMAND_MEMORY_SPACE | PciFunction.COMMAND_BUS_MASTER)
                & ~PciFunction.COMMAND_INTX_DISABLE;
        pci.writeConfig16(PciFunction.COMMAND, command);
        interrupt = new UioInterruptSource(address, uioFd, configFd, command);
        dma = new DmaPool(bytes -> below4G ? new Below4G(this::newRegion).create(bytes) : newRegion(bytes),
                DmaPool.REGION_BYTES);
    }

    private static final int O_NONBLOCK = 0x800;

    private int openSysfs(String name) throws IOException {
        try {
            return Linux.open(sysfs.resolve(name).toString(), Linux.O_RDWR);
        } catch (NativeException e) {
            if (e.errno() == Errno.EACCES || e.errno() == Errno.EPERM) {
                throw new IOException("no permission to open " + sysfs.resolve(name) + ": UIO needs root", e);
            }
            throw e;
        }
    }

    private DmaPool.Region newRegion(long bytes) throws IOException {
        long size = (bytes + HUGE - 1) & -HUGE;
        long vaddr;
        boolean hugetlb;
        try {
            vaddr = Linux.mmap(size, Linux.PROT_READ | Linux.PROT_WRITE,
                    Linux.MAP_PRIVATE | Linux.MAP_ANONYMOUS | Linux.MAP_HUGETLB | Linux.MAP_POPULATE, -1, 0,
                    "hugetlb DMA memory");
            hugetlb = true;
        } catch (NativeException noHugePages) {
            vaddr = alignedAnonymous(size);
            hugetlb = false;
        }
        try {
            Linux.mlock(vaddr, size);
            // Touch every page so it is really allocated (mlock faults them in; this is belt and braces).
            com.sun.jna.Pointer p = new com.sun.jna.Pointer(vaddr);
            for (long o = 0; o < size; o += Pagemap.PAGE_SIZE) {
                p.setByte(o, (byte) 0);
            }
            PhysicalPages pages = new PhysicalPages(Pagemap.physicalAddresses(vaddr, size));
            memoryKinds.add((hugetlb ? "hugetlb" : "anonymous") + " " + size / (1024 * 1024) + " MiB in "
                    + pages.runs() + (pages.runs() == 1 ? " run" : " runs"));
            return new PhysicalRegion(vaddr, size, pages, hugetlb ? HUGE : Pagemap.PAGE_SIZE);
        } catch (IOException | RuntimeException e) {
            Linux.munmap(vaddr, size);
            throw e;
        }
    }

    /** Anonymous memory at a 2 MiB boundary, advised to use transparent huge pages (physically contiguous). */
    private static long alignedAnonymous(long size) throws NativeException {
        long raw = Linux.mmap(size + HUGE, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_PRIVATE | Linux.MAP_ANONYMOUS,
                -1, 0, "DMA memory");
        long aligned = (raw + HUGE - 1) & -HUGE;
        if (aligned > raw) {
            Linux.munmap(raw, aligned - raw);
        }
        long tail = raw + size + HUGE - (aligned + size);
        if (tail > 0) {
            Linux.munmap(aligned + size, tail);
        }
        try {
            Linux.madvise(aligned, size, Linux.MADV_HUGEPAGE, "DMA memory, MADV_HUGEPAGE");
        } catch (NativeException e) {
            // no transparent huge pages: 4 KiB pages, and contiguousBytes says where they break
        }
        return aligned;
    }

    /** Locked memory whose bus addresses are physical addresses. */
    private static final class PhysicalRegion implements DmaPool.Region {
        private final long vaddr;
        private final long size;
        private final PhysicalPages pages;
        private final long busAlignment;
        private boolean released;

        PhysicalRegion(long vaddr, long size, PhysicalPages pages, long busAlignment) {
            this.vaddr = vaddr;
            this.size = size;
            this.pages = pages;
            this.busAlignment = busAlignment;
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
            return pages.busAddress(offset);
        }

        @Override
        public long contiguousBytes(long offset) {
            return pages.contiguousBytes(offset);
        }

        @Override
        public long busAlignment() {
            return busAlignment;
        }

        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                try {
                    Linux.munmap(vaddr, size);
                } catch (NativeException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }
        }
    }

    @Override
    public String describe() {
        return "uio " + address + " (" + (uioName == null ? "uio" : uioName) + ", INTx"
                + (memoryKinds.isEmpty() ? "" : ", DMA memory: " + String.join(", ", memoryKinds)) + ")";
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

    /** Physical pages may lie anywhere in RAM, unless {@link #limitDmaTo32Bits()} was called. */
    @Override
    public boolean mayAllocateAbove4G() {
        return !below4G;
    }

    /** Regions made from now on lie wholly below 4 GiB ({@link Below4G}). PASSIVE. */
    @Override
    public void limitDmaTo32Bits() {
        below4G = true;
    }

    @Override
    public InterruptSource interrupt() {
        return interrupt;
    }

    /** Interrupts merged into one wakeup so far (count deltas above one). */
    public long missedInterrupts() {
        return interrupt == null ? 0 : interrupt.missedInterrupts();
    }

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

    /**
     * Bus mastering off first, so the controller can no longer reach memory this process is about
     * to free; INTx left enabled (bit 10 clear) for the kernel driver that takes over.
     */
    private void release(boolean unmapMemory) {
        if (closed) {
            return;
        }
        closed = true;
        ReleaseOnExit.unregister(this);
        Release r = new Release(address);
        if (interrupt != null) {
            r.step("closing the interrupt", interrupt::close);
        }
        if (pci != null) {
            r.step("clearing bus master", () -> pci.writeConfig16(PciFunction.COMMAND, pci.readConfig16(PciFunction.COMMAND)
                    & ~PciFunction.COMMAND_BUS_MASTER & ~PciFunction.COMMAND_INTX_DISABLE));
        }
        if (unmapMemory) {
            if (dma != null) {
                r.step("unmapping DMA memory", dma::close);
            }
            if (barAddress != 0) {
                r.step("unmapping BAR5", () -> Linux.munmap(barAddress, (barSize + Pagemap.PAGE_SIZE - 1) & -Pagemap.PAGE_SIZE));
            }
            for (int fd : new int[] {uioFd, configFd}) {
                if (fd >= 0) {
                    r.step("closing fd " + fd, () -> Linux.close(fd));
                }
            }
        }
        r.done();
    }
}
