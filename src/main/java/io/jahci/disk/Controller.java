package io.jahci.disk;

import io.jahci.ahci.DeviceSignature;
import io.jahci.ahci.HbaCapabilities;
import io.jahci.ahci.HbaRegister;
import io.jahci.ahci.KnownChips;
import io.jahci.ahci.PortRegister;
import io.jahci.ataport.ThreadPlacement;
import io.jahci.fault.ControllerLostException;
import io.jahci.fault.PortException;
import io.jahci.hw.DeviceLostException;
import io.jahci.hw.PciFunction;
import io.jahci.hw.Transport;
import io.jahci.miniport.AhciHba;
import io.jahci.miniport.AhciPort;
import io.jahci.miniport.PortState;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * An open AHCI controller and its disks: the entry point of jahci's Java API.
 *
 * <pre>{@code
 * try (Controller c = Controller.open(DeviceSpec.parse("qemu:disk.img"), OpenOptions.readOnly())) {
 *     Disk d = c.disk(0);
 *     ByteBuffer buf = ByteBuffer.allocate(8 * d.sectorSize());
 *     d.read(0, buf);
 * }
 * }</pre>
 *
 * <p>Thread safe: any thread may call any method. Each disk keeps up to {@link Disk#queueDepth()}
 * reads and writes in flight and runs its other commands alone (see {@link Disk}); different disks
 * run in parallel.
 */
public final class Controller implements AutoCloseable {
    /** How one port looks after bring-up. */
    public record PortStatus(int port, PortCondition state, DeviceSignature signature) {}

    private final DeviceSpec spec;
    private final Transport transport;
    private final AhciHba hba;
    /** Where the port threads run, and which ran there (read back by tests). */
    private final ThreadPlacement placement;
    private final OpenOptions options;
    /** The Disk of each port, replaced when a new disk appears on it. */
    private final java.util.Map<Integer, Disk> disks = new java.util.concurrent.ConcurrentHashMap<>();
    /** The CD/DVD drive of each port with an ATAPI device. */
    private final java.util.Map<Integer, CdDrive> cdDrives = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile java.util.function.Consumer<String> releasedListener = message -> { };
    private boolean closed;
    private volatile boolean releasing;

    private Controller(DeviceSpec spec, Transport transport, OpenOptions options) throws IOException {
        this.spec = spec;
        this.transport = transport;
        try {
            AhciHba.Config config = options.hbaConfig();
            this.placement = config.driver().threadPlacement();
            this.hba = AhciHba.open(transport, config);
        } catch (IOException | RuntimeException e) {
            transport.close();
            throw e;
        }
        this.options = options;
        for (AhciPort port : hba.ports()) {
            port.onArrival(this::arrived);
            if (port.state() == PortState.READY) {
                arrived(port);
            }
        }
        transport.onDeviceRequest(this::releaseToKernel);
    }

    /**
     * Whether the controller is being given back to the operating system (see
     * {@link #onReleased}): requests failing now fail because of that.
     */
    public boolean releasing() {
        return releasing;
    }

    /**
     * Called once the controller was given back because the operating system asked for it (VFIO
     * device request: unbind or removal), with a sentence saying so; on a transport thread. The
     * CLI prints it and exits; {@code serve} stops serving.
     */
    public void onReleased(java.util.function.Consumer<String> listener) {
        this.releasedListener = listener;
    }

    /**
     * The kernel wants the device (it is being unbound or removed, and waits until jahci lets go):
     * flush each disk jahci may write (FLUSH CACHE waits for the commands in flight), then stop the
     * ports and release the device. Runs on the transport's request thread.
     */
    private void releaseToKernel() {
        releasing = true;
        StringBuilder message = new StringBuilder(transport.describe()
                + ": the kernel asked for the controller back (unbind or device removal); ");
        if (options.allowWrite()) {
            for (Disk d : disks()) {
                try {
                    d.flush();
                } catch (PortException | RuntimeException e) {
                    message.append("flushing port ").append(d.port()).append(" failed (").append(e.getMessage())
                            .append("); ");
                }
            }
            message.append("flushed the disks, ");
        }
        close();
        message.append("stopped the ports and released the device. Commands still in flight failed.");
        releasedListener.accept(message.toString());
    }

    /** A disk is ready on {@code port}: at open, or hot-plugged later (on a work-item thread). */
    private void arrived(AhciPort port) {
        if (port.signature() == DeviceSignature.ATAPI) {
            cdDrives.put(port.number(), new CdDrive(transport.describe(), port));
        } else {
            disks.put(port.number(), new Disk(transport.describe(), port, options.allowWrite()));
        }
    }

    /**
     * Opens the controller {@code spec} names, resets it, and identifies its disks. PASSIVE.
     *
     * @throws ControllerLostException the controller stopped answering while it was brought up
     * @throws IOException it could not be opened (the message says why and what to do)
     */
    public static Controller open(DeviceSpec spec, OpenOptions options) throws IOException {
        try {
            Transport transport = Transports.open(spec);
            return new Controller(spec, options.registerCounts() == null ? transport
                    : options.registerCounts().install(transport), options);
        } catch (DeviceLostException e) {
            throw new ControllerLostException(e);
        }
    }

    public DeviceSpec spec() {
        return spec;
    }

    /** A one-line description of the controller: transport and HBA capabilities. */
    public String describe() {
        return transport.describe() + ": " + hba.capabilities();
    }

    public HbaCapabilities capabilities() {
        return hba.capabilities();
    }

    /** Every implemented port with its state, whether or not it has a disk. */
    public List<PortStatus> ports() {
        List<PortStatus> out = new ArrayList<>();
        for (AhciPort port : hba.ports()) {
            out.add(new PortStatus(port.number(), PortCondition.of(port.state()), port.signature()));
        }
        return out;
    }

    /** The ATA disks present now, in port order. */
    public List<Disk> disks() {
        List<Disk> present = new ArrayList<>();
        for (AhciPort port : hba.ports()) {
            Disk d = disks.get(port.number());
            if (d != null && port.state() != PortState.NO_DEVICE) {
                present.add(d);
            }
        }
        return present;
    }

    /** The disk on {@code port}, or a NoSuchElementException saying what the port holds. */
    public Disk disk(int port) {
        for (Disk d : disks()) {
            if (d.port() == port) {
                return d;
            }
        }
        if (cdDrives.containsKey(port)) {
            throw new NoSuchElementException(transport.describe() + " port " + port + " holds a CD/DVD drive, not "
                    + "an ATA disk: jahci reads it (read, in 2048-byte blocks) and identifies it, and never writes "
                    + "to it; disks are on ports " + diskPorts());
        }
        throw new NoSuchElementException(transport.describe() + " port " + port + " has no ATA disk ("
                + describeState(implemented(port)) + "); disks are on ports " + diskPorts());
    }

    /** The CD/DVD drive on {@code port}, or a NoSuchElementException saying what the port holds. */
    public CdDrive cdDrive(int port) {
        CdDrive cd = cdDrives.get(port);
        if (cd == null) {
            throw new NoSuchElementException(transport.describe() + " port " + port + " has no CD/DVD drive");
        }
        return cd;
    }

    /** Whether {@code port} holds a CD/DVD drive. */
    public boolean hasCdDrive(int port) {
        return cdDrives.containsKey(port);
    }

    private static String describeState(AhciPort p) {
        return switch (p.state()) {
            case NO_DEVICE -> "it is empty";
            case UNSUPPORTED_DEVICE -> "it holds a " + p.signature() + " device, which jahci does not drive";
            default -> "it is " + p.state();
        };
    }

    private String diskPorts() {
        List<Integer> ports = new ArrayList<>();
        for (Disk d : disks()) {
            ports.add(d.port());
        }
        return ports.isEmpty() ? "(none)" : ports.toString();
    }

    private String implementedPorts() {
        List<Integer> ports = new ArrayList<>();
        for (AhciPort p : hba.ports()) {
            ports.add(p.number());
        }
        return ports.toString();
    }

    /**
     * What jahci knows about this chip by its PCI ID: its name, its quirks (each with what jahci does
     * about it) and their source; null for a chip with no entry in {@link KnownChips}.
     */
    public KnownChips.Chip knownChip() {
        return hba.knownChip();
    }

    /**
     * The registers of the HBA and of every implemented port, by name, read at one moment while no ISR
     * runs, so that they agree with each other (HBA IS names exactly the ports whose PxIS is pending).
     *
     * @param hba   the global registers (AHCI 1.3.1 §3.1): CAP, GHC, IS, PI, VS, and CAP2 and BOHC when VS
     *              says AHCI 1.2 or later
     * @param ports per implemented port (§3.3): SSTS, SCTL, SERR, SIG, TFD, CMD, IS, IE, CI, SACT
     */
    public record Registers(Map<String, Integer> hba, Map<Integer, Map<String, Integer>> ports) {
    }

    /**
     * Reads {@link Registers}; reading them changes nothing. PASSIVE.
     *
     * @throws ControllerLostException the controller no longer answers
     */
    public Registers registers() throws ControllerLostException {
        Map<String, Integer> global = new LinkedHashMap<>();
        Map<Integer, Map<String, Integer>> perPort = new LinkedHashMap<>();
        try {
            hba.withoutIsrs(() -> {
                for (HbaRegister r : new HbaRegister[] {HbaRegister.CAP, HbaRegister.GHC, HbaRegister.IS, HbaRegister.PI,
                        HbaRegister.VS}) {
                    global.put(r.name(), hba.readRegister(r));
                }
                if (HbaCapabilities.hasCap2(global.get("VS"))) {
                    global.put("CAP2", hba.readRegister(HbaRegister.CAP2));
                    global.put("BOHC", hba.readRegister(HbaRegister.BOHC));
                }
                for (AhciPort p : hba.ports()) {
                    Map<String, Integer> regs = new LinkedHashMap<>();
                    for (PortRegister r : new PortRegister[] {PortRegister.SSTS, PortRegister.SCTL, PortRegister.SERR,
                            PortRegister.SIG, PortRegister.TFD, PortRegister.CMD, PortRegister.IS, PortRegister.IE,
                            PortRegister.CI, PortRegister.SACT}) {
                        regs.put(r.name(), p.readRegister(r));
                    }
                    perPort.put(p.number(), regs);
                }
            });
        } catch (DeviceLostException e) {
            throw new ControllerLostException(e);
        }
        return new Registers(global, perPort);
    }

    /** The port's register history (its last snapshots: bring-up, errors, resets), one line each. */
    public String portHistory(int port) {
        return implemented(port).history();
    }

    /** Bring-up's steps with when each began and how long it took. */
    public List<String> bringUpTimeline() {
        return hba.timeline();
    }

    /** The PCI function: address, vendor and device IDs, revision, class code (PCI 3.0 §6.2.1). PASSIVE. */
    public Map<String, Object> pciIdentity() throws IOException {
        PciFunction pci = transport.pci();
        int ids;
        int classRevision;
        try {
            ids = pci.readConfig32(PciFunction.VENDOR_ID);
            classRevision = pci.readConfig32(PciFunction.CLASS_REVISION);
        } catch (DeviceLostException e) {
            throw new ControllerLostException(e);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("address", pci.address());
        out.put("vendorId", String.format("%04x", ids & 0xffff));
        out.put("deviceId", String.format("%04x", ids >>> 16));
        out.put("revision", String.format("%02x", classRevision & 0xff));
        out.put("classCode", String.format("%06x", classRevision >>> 8));
        return out;
    }

    private AhciPort implemented(int port) {
        for (AhciPort p : hba.ports()) {
            if (p.number() == port) {
                return p;
            }
        }
        throw new NoSuchElementException(transport.describe() + " has no port " + port + "; implemented ports: "
                + implementedPorts());
    }

    /** The port threads' placement the options asked for, for tests that read it back from the kernel. */
    ThreadPlacement threadPlacement() {
        return placement;
    }

    /** The transport under the controller, for tests of what the device saw. */
    Transport transport() {
        return transport;
    }

    /**
     * Interrupts of the controller that jahci serviced since it was opened: each one is a wake-up of
     * the interrupt thread on the controller's interrupt (eventfd, UIO or VFIO) that ran the ISRs.
     * For a benchmark's interrupts per command: read it before and after. Any thread, no lock.
     */
    public long interruptsServiced() {
        return hba.interruptsServiced();
    }

    /** Warnings from bring-up (e.g. firmware that ignored the BIOS/OS handoff). */
    public List<String> warnings() {
        return hba.warnings();
    }

    /** Stops the ports, releases DMA memory and the device (for QEMU: stops it). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            hba.close();
        } finally {
            transport.close();
        }
    }
}
