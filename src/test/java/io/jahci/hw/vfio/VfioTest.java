package io.jahci.hw.vfio;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** ioctl numbers and struct layouts, checked against linux/vfio.h by hand. */
class VfioTest {
    private static String hex(ByteBuffer b, int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = b.get(i);
        }
        return HexFormat.of().formatHex(bytes);
    }

    private static ByteBuffer buffer() {
        ByteBuffer b = ByteBuffer.allocate(64);
        for (int i = 0; i < 64; i++) {
            b.put(i, (byte) 0xee); // encoders must clear what they do not set
        }
        return b;
    }

    @Test
    void ioctlNumbersAreIoOfTypeSemicolonAndBase100() {
        assertEquals(0x3b64, Vfio.GET_API_VERSION);
        assertEquals(0x3b65, Vfio.CHECK_EXTENSION);
        assertEquals(0x3b66, Vfio.SET_IOMMU);
        assertEquals(0x3b67, Vfio.GROUP_GET_STATUS);
        assertEquals(0x3b68, Vfio.GROUP_SET_CONTAINER);
        assertEquals(0x3b6a, Vfio.GROUP_GET_DEVICE_FD);
        assertEquals(0x3b6b, Vfio.DEVICE_GET_INFO);
        assertEquals(0x3b6c, Vfio.DEVICE_GET_REGION_INFO);
        assertEquals(0x3b6d, Vfio.DEVICE_GET_IRQ_INFO);
        assertEquals(0x3b6e, Vfio.DEVICE_SET_IRQS);
        assertEquals(0x3b6f, Vfio.DEVICE_RESET);
        assertEquals(0x3b71, Vfio.IOMMU_MAP_DMA);
        assertEquals(0x3b72, Vfio.IOMMU_UNMAP_DMA);
    }

    @Test
    void dmaMapIs32BytesArgszFlagsVaddrIovaSize() {
        ByteBuffer b = buffer();
        Vfio.encodeDmaMap(b, 0x7f00_1234_5000L, 0x0100_0000L, 0x0100_0000L);
        assertEquals("20000000" + "03000000" + "00503412007f0000" + "0000000100000000" + "0000000100000000",
                hex(b, 32));
    }

    @Test
    void dmaUnmapIs24Bytes() {
        ByteBuffer b = buffer();
        Vfio.encodeDmaUnmap(b, 0x0200_0000L, 0x0100_0000L);
        assertEquals("18000000" + "00000000" + "0000000200000000" + "0000000100000000", hex(b, 24));
        b.order(ByteOrder.LITTLE_ENDIAN).putLong(16, 4096);
        assertEquals(4096, Vfio.unmappedSize(b));
    }

    @Test
    void irqSetWithAnEventFdTriggersVectorZero() {
        ByteBuffer b = buffer();
        assertEquals(24, Vfio.encodeIrqSetEventFd(b, Vfio.PCI_MSI_IRQ_INDEX, 7));
        // argsz 24, flags DATA_EVENTFD|ACTION_TRIGGER (0x24), index 1, start 0, count 1, fd 7
        assertEquals("18000000" + "24000000" + "01000000" + "00000000" + "01000000" + "07000000", hex(b, 24));
    }

    @Test
    void intxUnmaskAndDisable() {
        ByteBuffer b = buffer();
        assertEquals(20, Vfio.encodeIrqUnmask(b, Vfio.PCI_INTX_IRQ_INDEX));
        // DATA_NONE|ACTION_UNMASK = 0x11, index 0, start 0, count 1
        assertEquals("14000000" + "11000000" + "00000000" + "00000000" + "01000000", hex(b, 20));
        assertEquals(20, Vfio.encodeIrqDisable(b, Vfio.PCI_MSI_IRQ_INDEX));
        // DATA_NONE|ACTION_TRIGGER = 0x21, index 1, count 0: tear down
        assertEquals("14000000" + "21000000" + "01000000" + "00000000" + "00000000", hex(b, 20));
    }

    @Test
    void infoStructsRoundTrip() {
        ByteBuffer b = buffer();
        Vfio.encodeRegionInfo(b, Vfio.PCI_CONFIG_REGION_INDEX);
        assertEquals("20000000" + "00000000" + "07000000" + "00000000", hex(b, 16));
        b.order(ByteOrder.LITTLE_ENDIAN).putInt(4, 0x7).putLong(16, 0x1000).putLong(24, 0x50000000000L);
        Vfio.RegionInfo r = Vfio.decodeRegionInfo(b);
        assertEquals(new Vfio.RegionInfo(7, 7, 0x1000, 0x50000000000L), r);
        assertTrue(r.mappable());

        Vfio.encodeDeviceInfo(b);
        assertEquals("18000000" + "00".repeat(20), hex(b, 24));
        b.putInt(4, 0x3).putInt(8, 9).putInt(12, 5);
        Vfio.DeviceInfo d = Vfio.decodeDeviceInfo(b);
        assertTrue(d.resetOffered() && d.isPci());
        assertEquals(9, d.numRegions());

        Vfio.encodeIrqInfo(b, 1);
        assertEquals("10000000" + "00000000" + "01000000" + "00000000", hex(b, 16));
        b.putInt(4, 0x9).putInt(12, 1);
        assertEquals(new Vfio.IrqInfo(1, 9, 1), Vfio.decodeIrqInfo(b));

        Vfio.encodeGroupStatus(b);
        assertEquals("08000000" + "00000000", hex(b, 8));
        assertFalse(Vfio.viable(b));
        b.putInt(4, 3);
        assertTrue(Vfio.viable(b));
    }

    @Test
    void reservedRegionsAreParsedWithInclusiveEnds() {
        List<long[]> r = Vfio.parseReservedRegions(List.of(
                "0x00000000fee00000 0x00000000feefffff msi", "0x00000000000a0000 0x00000000000bffff direct", ""));
        assertEquals(2, r.size());
        assertArrayEquals(new long[] {0xfee00000L, 0xfef00000L}, r.get(0));
        assertArrayEquals(new long[] {0xa0000L, 0xc0000L}, r.get(1));
    }

    @Test
    void irqModeParses() {
        assertEquals(IrqMode.MSI, IrqMode.parse("msi"));
        assertEquals(IrqMode.INTX, IrqMode.parse("INTx"));
        assertThrows(IllegalArgumentException.class, () -> IrqMode.parse("msix"));
    }
}
