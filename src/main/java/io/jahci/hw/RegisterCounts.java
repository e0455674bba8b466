package io.jahci.hw;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Register-access accounting for benchmarks: {@link #install} wraps a {@link Transport} so that
 * every 32-bit read and write of its register window (ABAR) is counted here. Nothing counts unless
 * it is installed: a transport that was not wrapped has no counting in its path at all.
 *
 * <p>Counting is two {@link AtomicLong}s (allocation-free, safe from the caller's, interrupt and
 * dispatch threads at once); through a mapped BAR that is a few ns against an MMIO access of about
 * a microsecond.
 */
public final class RegisterCounts {
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();

    /** Counts at one moment. */
    public record Snapshot(long reads, long writes) {
        /** Reads and writes per command between {@code before} and this snapshot, over {@code commands}. */
        public PerCommand perCommandSince(Snapshot before, long commands) {
            if (commands <= 0) {
                throw new IllegalArgumentException("commands must be positive: " + commands);
            }
            return new PerCommand((double) (reads - before.reads) / commands, (double) (writes - before.writes) / commands);
        }
    }

    /** Register reads and writes per command. */
    public record PerCommand(double reads, double writes) {}

    public Snapshot snapshot() {
        return new Snapshot(reads.get(), writes.get());
    }

    /** {@code transport} with its register window counted here; closing it closes {@code transport}. */
    public Transport install(Transport transport) {
        return new Counted(transport, new CountingWindow(transport.abar()));
    }

    /** A register window that counts each access, then performs it. */
    private final class CountingWindow implements RegisterWindow {
        private final RegisterWindow window;

        CountingWindow(RegisterWindow window) {
            this.window = window;
        }

        @Override
        public int read32(int offset) {
            reads.incrementAndGet();
            return window.read32(offset);
        }

        @Override
        public void write32(int offset, int value) {
            writes.incrementAndGet();
            window.write32(offset, value);
        }

        @Override
        public long size() {
            return window.size();
        }
    }

    /** The transport with the counting window in place of its own; everything else delegates. */
    private static final class Counted implements Transport {
        private final Transport transport;
        private final RegisterWindow abar;

        Counted(Transport transport, RegisterWindow abar) {
            this.transport = transport;
            this.abar = abar;
        }

        @Override
        public String describe() {
            return transport.describe();
        }

        @Override
        public PciFunction pci() {
            return transport.pci();
        }

        @Override
        public RegisterWindow abar() {
            return abar;
        }

        @Override
        public DmaMemory allocateDma(long size, long alignment) throws IOException {
            return transport.allocateDma(size, alignment);
        }

        @Override
        public boolean mayAllocateAbove4G() {
            return transport.mayAllocateAbove4G();
        }

        @Override
        public void limitDmaTo32Bits() {
            transport.limitDmaTo32Bits();
        }

        @Override
        public InterruptSource interrupt() {
            return transport.interrupt();
        }

        @Override
        public long registerAccessNanos() {
            return transport.registerAccessNanos();
        }

        @Override
        public void onDeviceRequest(Runnable listener) {
            transport.onDeviceRequest(listener);   // VFIO's device request must reach the controller
        }

        @Override
        public void beforeReleaseAtExit(Runnable quiesce) {
            transport.beforeReleaseAtExit(quiesce);   // the HBA must stop its engines before an exit's release
        }

        @Override
        public void close() {
            transport.close();
        }
    }
}
