package io.jahci.chip;

import io.jahci.hw.DmaMemory;
import io.jahci.hw.EventFdInterruptSource;
import io.jahci.hw.InterruptSource;
import io.jahci.hw.PciFunction;
import io.jahci.hw.RegisterWindow;
import io.jahci.hw.Transport;
import io.jahci.hw.qemu.QemuTransport;

import java.io.IOException;
import java.util.List;

/**
 * QEMU's AHCI presented as the chip a {@link ChipProfile} describes: its PCI identity, its registers
 * through a {@link ProfileShim} that enforces its capabilities, and its level-triggered interrupt. DMA
 * memory is QEMU's guest RAM, which lies below 4 GiB, so it suits 32-bit chips too.
 */
public final class ProfileTransport implements Transport {
    private final QemuTransport qemu;
    private final ChipProfile profile;
    private final ProfileShim shim;
    private final PciFunction pci;
    private final InterruptSource interrupt;
    private final EventFdInterruptSource line;

    private ProfileTransport(QemuTransport qemu, ChipProfile profile) {
        this.qemu = qemu;
        this.profile = profile;
        this.shim = new ProfileShim(profile, qemu.abar(), qemu::readGuest32, System::nanoTime);
        this.pci = new ProfilePci(profile, qemu.pci());
        if (!(qemu.interrupt() instanceof EventFdInterruptSource line)) {
            throw new IllegalStateException("QEMU's interrupt is not an eventfd line: " + qemu.interrupt().describe());
        }
        this.line = line;
        this.interrupt = new LevelInterrupt(line, shim::interruptAsserted);
    }

    /**
     * Presents {@code qemu}, which must have been started with its disks on {@code profile.diskPorts()},
     * as the profile's chip. The transport owns {@code qemu} from now on.
     */
    public static ProfileTransport wrap(QemuTransport qemu, ChipProfile profile) {
        return new ProfileTransport(qemu, profile);
    }

    public ChipProfile profile() {
        return profile;
    }

    /** The QEMU machine under the chip, for tests and tools that use its monitor (QMP). */
    public QemuTransport qemu() {
        return qemu;
    }

    /** Every access the chip would have refused, oldest first; empty for a driver that keeps to CAP. */
    public List<ProfileViolation> violations() {
        return shim.violations();
    }

    /**
     * Unplugs the disk on {@code port} as a hot-plug would (AHCI 1.3.1 §10.9): the link goes down, and
     * PxIS.PRCS is raised with the interrupt. QEMU's AHCI bus cannot hot-plug; the shim can.
     */
    public void unplug(int port) {
        shim.unplug(port);
        line.signal();
    }

    /** Plugs the disk back on {@code port}: the link comes up, PxIS.PCS and PRCS are raised with the interrupt. */
    public void plug(int port) {
        shim.plug(port);
        line.signal();
    }

    @Override
    public String describe() {
        return qemu.describe().replaceFirst("^qemu ich9-ahci", "qemu ich9-ahci as " + profile.name()
                + " (" + profile.chip() + String.format(", %04x:%04x)", profile.vendorId(), profile.deviceId()));
    }

    @Override
    public PciFunction pci() {
        return pci;
    }

    @Override
    public RegisterWindow abar() {
        return shim;
    }

    @Override
    public DmaMemory allocateDma(long size, long alignment) throws IOException {
        return qemu.allocateDma(size, alignment);
    }

    @Override
    public boolean mayAllocateAbove4G() {
        return qemu.mayAllocateAbove4G();
    }

    @Override
    public InterruptSource interrupt() {
        return interrupt;
    }

    @Override
    public long registerAccessNanos() {
        return qemu.registerAccessNanos();
    }

    @Override
    public void close() {
        qemu.close();
    }
}
