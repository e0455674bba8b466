package io.jahci.hw.qemu;

import io.jahci.hw.DmaMemory;
import io.jahci.hw.DmaPool;
import io.jahci.hw.InterruptSource;
import io.jahci.hw.PciFunction;
import io.jahci.hw.RegisterWindow;
import io.jahci.hw.Release;
import io.jahci.hw.Transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * QEMU's own AHCI model as a device: a paused q35 machine driven over qtest, its guest RAM shared
 * with this process as DMA memory. No root and no guest kernel needed.
 *
 * <p>There is no firmware, so this transport does what a BIOS would: it sizes and assigns BAR5
 * (ABAR) and enables memory space and bus mastering (PCI 3.0 §6.2.5.1).
 */
public final class QemuTransport implements Transport {
    /** Where ABAR is placed: inside q35's PCI MMIO window, below the IOAPIC. */
    static final long ABAR_ADDRESS = 0xfebf_0000L;
    /** q35 routes INTA of slot 5 to IOAPIC input 21 (seen in QEMU 7.2). */
    static final int AHCI_GSI = 21;
    private static final int BAR5 = 0x24;
    private static final int MAX_ABAR_BYTES = 1 << 20;

    private final QemuProcess process;
    private final QtestPciFunction pci;
    private final GuestRam ram;
    private final DmaPool guestRam;
    private final QtestInterruptSource interrupt;
    private final QtestRegisterWindow abar;
    /** What hangs on the ports, for {@link #describe()}: "2 disks", "1 disk, 1 CD-ROM". */
    private final String devices;
    private final QmpConnection qmp;

    private QemuTransport(QemuConfig config, List<Path> temporaryImages) throws IOException {
        long cds = config.images().stream().filter(i -> i.startsWith(QemuConfig.CD_PREFIX)).count();
        long disks = config.images().size() - cds;
        this.devices = (disks == 1 ? "1 disk" : disks + " disks") + (cds == 0 ? "" : cds == 1 ? ", 1 CD-ROM" : ", " + cds + " CD-ROMs");
        this.process = QemuProcess.start(config);
        try {
            QtestConnection qtest = process.qtest();
            this.interrupt = new QtestInterruptSource(AHCI_GSI);
            qtest.setIrqListener(interrupt);
            qtest.send("irq_intercept_in ioapic");
            // The machine exists now: both sides hold the RAM file and the images open.
            this.ram = GuestRam.map(process.shmPath(), process.guestRamBytes());
            this.guestRam = ram.pool();
            process.unlinkGuestRam();
            for (Path image : temporaryImages) {
                Files.deleteIfExists(image);
            }
            this.pci = new QtestPciFunction(qtest, QemuProcess.AHCI_SLOT, 0);
            pci.requireAhciClass("QEMU's device at " + pci.address());
            this.abar = new QtestRegisterWindow(qtest, ABAR_ADDRESS, assignAbar());
            // Connected now, the monitor socket's name can go: nothing is left even if the JVM is killed.
            this.qmp = new QmpConnection(process.qmpPath());
            process.unlinkQmpSocket();
        } catch (IOException | RuntimeException e) {
            process.close();
            throw e;
        }
    }

    /** Starts QEMU with {@code config} and brings its controller to where a BIOS would leave it. */
    public static QemuTransport open(QemuConfig config) throws IOException {
        return new QemuTransport(config, List.of());
    }

    /**
     * Like {@link #open(QemuConfig)}, for images that exist only for this machine: their names are
     * removed once QEMU has them open, so they vanish with it whatever way the JVM ends.
     */
    public static QemuTransport openWithTemporaryImages(QemuConfig config, List<Path> images) throws IOException {
        return new QemuTransport(config, images);
    }

    /** Sizes BAR5 by writing all ones (PCI 3.0 §6.2.5.1), assigns it, enables MMIO and DMA. */
    private long assignAbar() throws IOException {
        pci.writeConfig32(BAR5, 0xffff_ffff);
        int mask = pci.readConfig32(BAR5) & 0xffff_fff0;
        long size = (~mask & 0xffff_ffffL) + 1;
        if (mask == 0 || size > MAX_ABAR_BYTES) {
            throw new IOException("BAR5 of " + pci.address() + " is not a usable memory BAR (sizing read 0x"
                    + Integer.toHexString(mask) + ")");
        }
        pci.writeConfig32(BAR5, (int) ABAR_ADDRESS);
        int command = pci.readConfig16(PciFunction.COMMAND);
        command |= PciFunction.COMMAND_MEMORY_SPACE | PciFunction.COMMAND_BUS_MASTER;
        command &= ~PciFunction.COMMAND_INTX_DISABLE;
        pci.writeConfig16(PciFunction.COMMAND, command);
        return size;
    }

    @Override
    public String describe() {
        return "qemu ich9-ahci " + pci.address() + " (" + devices + ", pid "
                + process.pid() + ")";
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
        return guestRam.allocate(size, alignment);
    }

    /** Guest RAM sits below 4 GiB. */
    @Override
    public boolean mayAllocateAbove4G() {
        return false;
    }

    @Override
    public InterruptSource interrupt() {
        return interrupt;
    }

    /** A qtest round trip over the socket: 0.1-0.2 ms, measured with QEMU 7.2. */
    @Override
    public long registerAccessNanos() {
        return 200_000;
    }

    /**
     * The dword at guest physical address {@code physical}: what the controller reads from DMA memory
     * there. For register shims that check command lists and tables. Any thread.
     */
    public int readGuest32(long physical) {
        return ram.read32(physical);
    }

    /** The QEMU process id, for tests that check it is gone. */
    public long qemuPid() {
        return process.pid();
    }

    /** The /dev/shm file that backed guest RAM (already unlinked once both sides mapped it). */
    public java.nio.file.Path guestRamFile() {
        return process.shmPath();
    }

    /**
     * Sends a QMP command with its arguments to this machine's monitor and returns QEMU's
     * {@code return} value; for tests and tools, e.g. {@code block_set_io_throttle}. Throws with
     * QEMU's error. PASSIVE.
     */
    public Object qmp(String command, Map<String, ?> arguments) throws IOException {
        return qmp.execute(command, arguments);
    }


    @Override
    public void close() {
        Release r = new Release(describe());
        r.step("closing the QMP socket", qmp::close);
        r.step("stopping QEMU", process::close);
        r.step("unmapping guest RAM", guestRam::close);
        r.step("closing the interrupt", interrupt::close);
        r.done();
    }
}
