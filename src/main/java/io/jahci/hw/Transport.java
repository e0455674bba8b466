package io.jahci.hw;

import java.io.IOException;

/**
 * Everything a miniport needs from one AHCI controller, as one transport (VFIO, UIO or QEMU)
 * provides it: config space, the ABAR register window, DMA memory and the interrupt.
 * Closing the transport releases all of it and leaves the device to its next owner.
 */
public interface Transport extends AutoCloseable {
    /** A one-line description for messages, e.g. {@code qemu ich9-ahci 0000:00:05.0 (2 disks)}. */
    String describe();

    PciFunction pci();

    /** AHCI base address registers (ABAR, BAR5), mapped. */
    RegisterWindow abar();

    /**
     * Allocates zeroed DMA memory of {@code size} bytes whose bus address is aligned to
     * {@code alignment} (a power of two).
     */
    DmaMemory allocateDma(long size, long alignment) throws IOException;

    /** Whether bus addresses above 4 GiB can be handed out by {@link #allocateDma}. */
    boolean mayAllocateAbove4G();

    InterruptSource interrupt();

    /**
     * From now on, every bus address {@link #allocateDma} hands out lies below 4 GiB: the HBA has no
     * CAP.S64A. Transports whose memory always does (QEMU's guest RAM, VFIO's IOVAs) have nothing to
     * do; UIO picks physical pages below 4 GiB ({@link Below4G}). PASSIVE, before the first allocation.
     */
    default void limitDmaTo32Bits() {
    }

    /**
     * Roughly how long one register access takes, in nanoseconds: about 1 us through a mapped BAR,
     * far more through a socket. Sizes the ISR time budget the verifier warns at.
     */
    default long registerAccessNanos() {
        return 1_000;
    }

    /**
     * Runs {@code listener} once, on a transport thread, when the operating system asks for the
     * device back (VFIO's device request: the device is being unbound or removed). The listener
     * finishes or fails what is in flight, flushes and closes this transport promptly: the kernel
     * waits until then. Transports without such a request ignore the listener.
     */
    default void onDeviceRequest(Runnable listener) {
    }

    /**
     * Runs {@code quiesce} when the JVM exits without closing this transport (Ctrl-C, SIGTERM),
     * before the transport gives the device up and the process's DMA memory goes away: the HBA
     * stops its engines there (an HBA whose PxCMD.ST/FRE stay set may write FISes into freed memory;
     * QEMU's AHCI does so even with bus mastering off). Only transports released at exit (VFIO,
     * UIO) run it; a later call replaces the action. PASSIVE.
     */
    default void beforeReleaseAtExit(Runnable quiesce) {
    }

    @Override
    void close();
}
