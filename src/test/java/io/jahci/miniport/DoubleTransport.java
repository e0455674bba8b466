package io.jahci.miniport;

import io.jahci.hw.DmaMemory;
import io.jahci.hw.EventFdInterruptSource;
import io.jahci.hw.InterruptSource;
import io.jahci.hw.PciFunction;
import io.jahci.hw.Transport;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link Transport} for unit tests, without QEMU or hardware: the ABAR is an
 * {@link AhciRegisterDouble}, DMA memory is heap memory with made-up bus addresses (which the
 * register double resolves to read command tables and write FISes and data), and the interrupt
 * is an eventfd the double signals. Its config space holds only an identity, QEMU's ICH9 with the
 * AHCI class code (the miniport looks its quirks up by PCI ID); nothing else is there.
 */
final class DoubleTransport implements Transport {
    /** First made-up bus address: not 0, so a forgotten PxCLB or PRD shows. */
    private static final long FIRST_BUS_ADDRESS = 0x1000_0000L;

    private final AhciRegisterDouble registers;
    private final EventFdInterruptSource interrupt;
    private final TreeMap<Long, HeapDma> byBusAddress = new TreeMap<>();
    private long nextBusAddress = FIRST_BUS_ADDRESS;
    private volatile Runnable atExit;

    DoubleTransport() throws Exception {
        this.interrupt = new EventFdInterruptSource("register double interrupt");
        this.registers = new AhciRegisterDouble(this);
    }

    AhciRegisterDouble registers() {
        return registers;
    }

    void signalInterrupt() {
        interrupt.signal();
    }

    /** The byte at {@code busAddress}, as a buffer and the offset in it. */
    synchronized Map.Entry<ByteBuffer, Integer> resolve(long busAddress) {
        Map.Entry<Long, HeapDma> e = byBusAddress.floorEntry(busAddress);
        if (e == null || busAddress - e.getKey() >= e.getValue().size()) {
            throw new IllegalStateException("bus address 0x" + Long.toHexString(busAddress)
                    + " is not in any DMA block this transport handed out");
        }
        return Map.entry(e.getValue().buffer(), (int) (busAddress - e.getKey()));
    }

    @Override
    public String describe() {
        return "register double";
    }

    @Override
    public PciFunction pci() {
        return IDENTITY;
    }

    /** Vendor, device and class; any other config access is a test's mistake. */
    private static final PciFunction IDENTITY = new PciFunction() {
        @Override
        public String address() {
            return "0000:00:05.0";
        }

        @Override
        public int readConfig32(int offset) {
            return switch (offset) {
                case VENDOR_ID -> 0x8086 | 0x2922 << 16;
                case CLASS_REVISION -> AHCI_CLASS << 8 | 0x02;
                default -> throw new UnsupportedOperationException("the register double's config space has no dword "
                        + Integer.toHexString(offset));
            };
        }

        @Override
        public int readConfig16(int offset) {
            throw new UnsupportedOperationException("the register double's config space has only dword reads");
        }

        @Override
        public int readConfig8(int offset) {
            throw new UnsupportedOperationException("the register double's config space has only dword reads");
        }

        @Override
        public void writeConfig32(int offset, int value) {
            throw new UnsupportedOperationException("the register double's config space is read-only");
        }

        @Override
        public void writeConfig16(int offset, int value) {
            throw new UnsupportedOperationException("the register double's config space is read-only");
        }
    };

    @Override
    public AhciRegisterDouble abar() {
        return registers;
    }

    @Override
    public synchronized DmaMemory allocateDma(long size, long alignment) {
        long bus = (nextBusAddress + alignment - 1) & -alignment;
        nextBusAddress = bus + size;
        HeapDma dma = new HeapDma(bus, (int) size);
        byBusAddress.put(bus, dma);
        return dma;
    }

    @Override
    public boolean mayAllocateAbove4G() {
        return false;
    }

    @Override
    public InterruptSource interrupt() {
        return interrupt;
    }

    @Override
    public void beforeReleaseAtExit(Runnable quiesce) {
        atExit = quiesce;
    }

    /** What the HBA asked to run at a JVM exit that skips close (null if nothing). */
    Runnable atExit() {
        return atExit;
    }

    @Override
    public void close() {
        interrupt.close();
    }

    /** Heap memory, one contiguous block in made-up bus address space. */
    private static final class HeapDma implements DmaMemory {
        private final long bus;
        private final ByteBuffer buffer;

        HeapDma(long bus, int size) {
            this.bus = bus;
            this.buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public ByteBuffer buffer() {
            return buffer;
        }

        @Override
        public long size() {
            return buffer.capacity();
        }

        @Override
        public long busAddress(long offset) {
            return bus + offset;
        }

        @Override
        public long contiguousBytes(long offset) {
            return size() - offset;
        }

        @Override
        public void close() {
        }
    }
}
