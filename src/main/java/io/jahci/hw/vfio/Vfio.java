package io.jahci.hw.vfio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The VFIO user API (linux/vfio.h): ioctl numbers, flags, and the structs jahci passes, encoded and
 * decoded as little-endian bytes. Pure functions; {@link VfioTransport} does the calls.
 */
public final class Vfio {
    private Vfio() {}

    private static final int TYPE = ';';
    private static final int BASE = 100;

    /** {@code _IO(VFIO_TYPE, VFIO_BASE + nr)}: no direction or size bits. */
    static long io(int nr) {
        return ((long) TYPE << 8) | (BASE + nr);
    }

    public static final int API_VERSION = 0;
    public static final int TYPE1_IOMMU = 1;
    public static final int TYPE1V2_IOMMU = 3;

    public static final long GET_API_VERSION = io(0);
    public static final long CHECK_EXTENSION = io(1);
    public static final long SET_IOMMU = io(2);
    public static final long GROUP_GET_STATUS = io(3);
    public static final long GROUP_SET_CONTAINER = io(4);
    public static final long GROUP_GET_DEVICE_FD = io(6);
    public static final long DEVICE_GET_INFO = io(7);
    public static final long DEVICE_GET_REGION_INFO = io(8);
    public static final long DEVICE_GET_IRQ_INFO = io(9);
    public static final long DEVICE_SET_IRQS = io(10);
    public static final long DEVICE_RESET = io(11);
    public static final long IOMMU_MAP_DMA = io(13);
    public static final long IOMMU_UNMAP_DMA = io(14);

    public static final int GROUP_FLAGS_VIABLE = 1;
    public static final int DEVICE_FLAGS_RESET = 1;
    public static final int DEVICE_FLAGS_PCI = 1 << 1;
    public static final int REGION_INFO_FLAG_READ = 1;
    public static final int REGION_INFO_FLAG_WRITE = 1 << 1;
    public static final int REGION_INFO_FLAG_MMAP = 1 << 2;
    public static final int IRQ_INFO_EVENTFD = 1;
    public static final int IRQ_SET_DATA_NONE = 1;
    public static final int IRQ_SET_DATA_EVENTFD = 1 << 2;
    public static final int IRQ_SET_ACTION_UNMASK = 1 << 4;
    public static final int IRQ_SET_ACTION_TRIGGER = 1 << 5;
    public static final int DMA_MAP_FLAG_READ = 1;
    public static final int DMA_MAP_FLAG_WRITE = 1 << 1;

    /** vfio-pci's region indices. */
    public static final int PCI_BAR5_REGION_INDEX = 5;
    public static final int PCI_CONFIG_REGION_INDEX = 7;
    /** vfio-pci's IRQ indices. */
    public static final int PCI_INTX_IRQ_INDEX = 0;
    public static final int PCI_MSI_IRQ_INDEX = 1;
    /** The kernel's device request (unbind or removal wants the device back); after MSIX (2) and ERR (3). */
    public static final int PCI_REQ_IRQ_INDEX = 4;

    /** struct vfio_group_status { u32 argsz, flags; } */
    public static final int GROUP_STATUS_SIZE = 8;
    /** struct vfio_device_info { u32 argsz, flags, num_regions, num_irqs, cap_offset, pad; } */
    public static final int DEVICE_INFO_SIZE = 24;
    /** struct vfio_region_info { u32 argsz, flags, index, cap_offset; u64 size, offset; } */
    public static final int REGION_INFO_SIZE = 32;
    /** struct vfio_irq_info { u32 argsz, flags, index, count; } */
    public static final int IRQ_INFO_SIZE = 16;
    /** struct vfio_irq_set { u32 argsz, flags, index, start, count; u8 data[]; } without data. */
    public static final int IRQ_SET_HEADER_SIZE = 20;
    /** struct vfio_iommu_type1_dma_map { u32 argsz, flags; u64 vaddr, iova, size; } */
    public static final int DMA_MAP_SIZE = 32;
    /** struct vfio_iommu_type1_dma_unmap { u32 argsz, flags; u64 iova, size; } */
    public static final int DMA_UNMAP_SIZE = 24;

    public record DeviceInfo(int flags, int numRegions, int numIrqs) {
        public boolean resetOffered() {
            return (flags & DEVICE_FLAGS_RESET) != 0;
        }

        public boolean isPci() {
            return (flags & DEVICE_FLAGS_PCI) != 0;
        }
    }

    public record RegionInfo(int index, int flags, long size, long offset) {
        public boolean mappable() {
            return (flags & REGION_INFO_FLAG_MMAP) != 0;
        }
    }

    public record IrqInfo(int index, int flags, int count) {}

    private static ByteBuffer le(ByteBuffer b) {
        return b.order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Sets argsz (the first u32) of a struct about to be passed to the kernel, and zeroes the rest. */
    static void header(ByteBuffer b, int size) {
        le(b);
        for (int i = 0; i < size; i++) {
            b.put(i, (byte) 0);
        }
        b.putInt(0, size);
    }

    public static void encodeGroupStatus(ByteBuffer b) {
        header(b, GROUP_STATUS_SIZE);
    }

    public static boolean viable(ByteBuffer b) {
        return (le(b).getInt(4) & GROUP_FLAGS_VIABLE) != 0;
    }

    public static void encodeDeviceInfo(ByteBuffer b) {
        header(b, DEVICE_INFO_SIZE);
    }

    public static DeviceInfo decodeDeviceInfo(ByteBuffer b) {
        le(b);
        return new DeviceInfo(b.getInt(4), b.getInt(8), b.getInt(12));
    }

    public static void encodeRegionInfo(ByteBuffer b, int index) {
        header(b, REGION_INFO_SIZE);
        b.putInt(8, index);
    }

    public static RegionInfo decodeRegionInfo(ByteBuffer b) {
        le(b);
        return new RegionInfo(b.getInt(8), b.getInt(4), b.getLong(16), b.getLong(24));
    }

    public static void encodeIrqInfo(ByteBuffer b, int index) {
        header(b, IRQ_INFO_SIZE);
        b.putInt(8, index);
    }

    public static IrqInfo decodeIrqInfo(ByteBuffer b) {
        le(b);
        return new IrqInfo(b.getInt(8), b.getInt(4), b.getInt(12));
    }

    /** SET_IRQS: trigger {@code index}'s vector 0 through {@code eventFd}. 24 bytes. */
    public static int encodeIrqSetEventFd(ByteBuffer b, int index, int eventFd) {
        int size = IRQ_SET_HEADER_SIZE + 4;
        header(b, size);
        b.putInt(4, IRQ_SET_DATA_EVENTFD | IRQ_SET_ACTION_TRIGGER);
        b.putInt(8, index);
        b.putInt(12, 0);
        b.putInt(16, 1);
        b.putInt(20, eventFd);
        return size;
    }

    /** SET_IRQS: unmask {@code index}'s vector 0 (INTx after each interrupt). 20 bytes. */
    public static int encodeIrqUnmask(ByteBuffer b, int index) {
        header(b, IRQ_SET_HEADER_SIZE);
        b.putInt(4, IRQ_SET_DATA_NONE | IRQ_SET_ACTION_UNMASK);
        b.putInt(8, index);
        b.putInt(16, 1);
        return IRQ_SET_HEADER_SIZE;
    }

    /** SET_IRQS: tear down every trigger of {@code index} (count 0, DATA_NONE | ACTION_TRIGGER). 20 bytes. */
    public static int encodeIrqDisable(ByteBuffer b, int index) {
        header(b, IRQ_SET_HEADER_SIZE);
        b.putInt(4, IRQ_SET_DATA_NONE | IRQ_SET_ACTION_TRIGGER);
        b.putInt(8, index);
        return IRQ_SET_HEADER_SIZE;
    }

    /** MAP_DMA: {@code size} bytes at {@code vaddr} readable and writable by the device at {@code iova}. */
    public static void encodeDmaMap(ByteBuffer b, long vaddr, long iova, long size) {
        header(b, DMA_MAP_SIZE);
        b.putInt(4, DMA_MAP_FLAG_READ | DMA_MAP_FLAG_WRITE);
        b.putLong(8, vaddr);
        b.putLong(16, iova);
        b.putLong(24, size);
    }

    public static void encodeDmaUnmap(ByteBuffer b, long iova, long size) {
        header(b, DMA_UNMAP_SIZE);
        b.putLong(8, iova);
        b.putLong(16, size);
    }

    /** The unmapped size the kernel wrote back into a DMA_UNMAP struct. */
    public static long unmappedSize(ByteBuffer b) {
        return le(b).getLong(16);
    }

    /**
     * Parses an IOMMU group's {@code reserved_regions} ("0x00000000fee00000 0x00000000feefffff msi",
     * inclusive end) into {start, endExclusive} pairs.
     */
    public static List<long[]> parseReservedRegions(List<String> lines) {
        List<long[]> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].startsWith("0x") && f[1].startsWith("0x")) {
                long start = Long.parseUnsignedLong(f[0].substring(2), 16);
                long end = Long.parseUnsignedLong(f[1].substring(2), 16);
                out.add(new long[] {start, end + 1});
            }
        }
        return out;
    }
}
