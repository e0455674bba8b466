package io.jahci.miniport;

import io.jahci.ahci.Bohc;
import io.jahci.ahci.Cap2;
import io.jahci.ahci.Ghc;
import io.jahci.ahci.HbaCapabilities;
import io.jahci.ahci.HbaRegister;
import io.jahci.ataport.InterruptConnection;
import io.jahci.ataport.PortDriver;
import io.jahci.ataport.PortDriverOptions;
import io.jahci.fault.PortException;
import io.jahci.hw.DeviceLostException;
import io.jahci.hw.RegisterWindow;
import io.jahci.hw.Transport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host bus adapter, the miniport's device extension: takes the HBA from the firmware, resets
 * it (AHCI 1.3.1 §10.1.2), runs the port layer ({@link PortDriver}) with one channel per
 * implemented port on the HBA's one interrupt, and shares the HBA-wide IS register among the
 * ports' ISRs.
 *
 * <p>Threads: {@link #open} and {@link #close} run at PASSIVE on the caller's thread. The port
 * layer's interrupt thread calls every port's ISR in port order under one interrupt lock.
 */
public final class AhciHba implements AutoCloseable {
    private final Transport transport;
    private final RegisterWindow regs;
    private final Config config;
    private final HbaCapabilities caps;
    private final ControllerLoss loss;
    private final List<AhciPort> ports = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private PortDriver<AhciHba> portDriver;
    private int firstPort = -1;
    private int lastPort = -1;
    /** IS as read at the start of the current interrupt; guarded by the interrupt lock. */
    private int latchedIs;

    /**
     * How to run the controller.
     *
     * @param ports        per-port tunables
     * @param syncWithIsr  the port model's SyncWithIsr (docs/port-layer.md): StartIo, Initialize and Reset at DIRQL (true) or DISPATCH
     * @param driver       the port layer's threads and verifier
     */
    public record Config(AhciPortOptions ports, boolean syncWithIsr, PortDriverOptions driver) {
        /** Defaults: SyncWithIsr true, verifier as the {@code jahci.verifier} property says. */
        public static Config defaults() {
            return new Config(AhciPortOptions.DEFAULT, true, new PortDriverOptions());
        }

        public Config withPorts(AhciPortOptions options) {
            return new Config(options, syncWithIsr, driver);
        }

        public Config withSyncWithIsr(boolean sync) {
            return new Config(ports, sync, driver);
        }
    }

    private AhciHba(Transport transport, Config config) throws IOException {
        this.transport = transport;
        this.regs = transport.abar();
        this.config = config;
        this.loss = new ControllerLoss(transport.describe(), transport::pci);
        loss.onLost(() -> ports.forEach(AhciPort::controllerLost));
        loss.check(read(HbaRegister.CAP), "CAP");
        takeOwnership();
        reset();
        transport.beforeReleaseAtExit(this::stopAtExit);
        this.caps = new HbaCapabilities(loss.check(read(HbaRegister.CAP), "CAP"), read(HbaRegister.CAP2),
                read(HbaRegister.PI), read(HbaRegister.VS));
        try {
            for (int port = 0; port < 32; port++) {
                if (caps.isImplemented(port)) {
                    ports.add(new AhciPort(transport.describe(), port, transport, caps, config.ports(), loss));
                    firstPort = firstPort < 0 ? port : firstPort;
                    lastPort = port;
                }
            }
            startPortLayer();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Takes the controller from {@code transport} and brings it and its ports up. PASSIVE. */
    public static AhciHba open(Transport transport, Config config) throws IOException {
        return new AhciHba(transport, config);
    }

    /**
     * Runs the port layer: one interrupt connection, one channel per port; starts each channel
     * (StartChannel brings the link up, Initialize starts the engine), then identifies the disks.
     */
    private void startPortLayer() throws IOException {
        PortDriverOptions driverOptions = config.driver().copy();   // the caller's options stay as given
        // An ISR makes about five register accesses: allow ten times that before the verifier warns.
        long budget = Math.max(driverOptions.isrBudgetNanos(), 50 * transport.registerAccessNanos());
        driverOptions.isrBudget(budget, TimeUnit.NANOSECONDS);
        portDriver = PortDriver.start(this, driverOptions);
        InterruptConnection line = portDriver.connectInterrupt(transport.interrupt());
        for (AhciPort port : ports) {
            portDriver.createChannel(new AhciMiniport(this, port, config.syncWithIsr()), line);
            port.initializeRecoveryWorker();
        }
        write(HbaRegister.IS, 0xffff_ffff);
        write(HbaRegister.GHC, read(HbaRegister.GHC) | Ghc.IE.mask());
        for (AhciPort port : ports) {
            if (!port.channel().start()) {
                warnings.add(port.startFailure());
            }
        }
        for (AhciPort port : ports) {
            if (port.state() == PortState.READY) {
                port.identify();
            }
        }
    }

    PortDriver<AhciHba> portDriver() {
        return portDriver;
    }

    private int read(HbaRegister reg) {
        return regs.read32(reg.offset());
    }

    private void write(HbaRegister reg, int value) {
        regs.write32(reg.offset(), value);
    }

    /**
     * BIOS/OS handoff (§10.6.3) when CAP2.BOH: request ownership (BOHC.OOS), wait for the BIOS to
     * drop BOS, and for a busy BIOS (BB) a while longer. A firmware that never answers is noted
     * and ignored, as Linux does.
     */
    private void takeOwnership() {
        if (!Cap2.BOH.isSet(read(HbaRegister.CAP2))) {
            return;
        }
        write(HbaRegister.BOHC, read(HbaRegister.BOHC) | Bohc.OOS.mask());
        Timeouts t = config.ports().timeouts();
        if (Poll.until(t.biosHandoffMillis(), () -> !Bohc.BOS.isSet(read(HbaRegister.BOHC)))) {
            return;
        }
        if (Bohc.BB.isSet(read(HbaRegister.BOHC))
                && Poll.until(t.biosBusyMillis(), () -> !Bohc.BOS.isSet(read(HbaRegister.BOHC)))) {
            return;
        }
        warnings.add("the firmware did not release the HBA (BOHC=" + Integer.toHexString(read(HbaRegister.BOHC))
                + ") within the §10.6.3 handoff time; continuing without it");
    }

    /**
     * At a JVM exit that skipped {@link #close()} (run by the transport's shutdown hook before it turns
     * bus mastering off and the process's DMA memory goes away): an HBA reset (GHC.HR, §10.4.3)
     * clears every port's PxCMD.ST and FRE, so the HBA fetches no command and writes no FIS into
     * memory this process gives back. It does not wait for HR to clear: bus mastering goes off next.
     * Any thread, no lock; the port layer's threads may still run.
     */
    private void stopAtExit() {
        if (!loss.isLost()) {
            write(HbaRegister.GHC, Ghc.AE.mask() | Ghc.HR.mask());
        }
    }

    /** HBA reset (§10.4.3): GHC.AE, then GHC.HR, wait for HR to clear, then GHC.AE again. */
    private void reset() throws PortException {
        write(HbaRegister.GHC, Ghc.AE.mask());
        write(HbaRegister.GHC, Ghc.AE.mask() | Ghc.HR.mask());
        long millis = config.ports().timeouts().hbaResetMillis();
        if (!Poll.until(millis, () -> !Ghc.HR.isSet(read(HbaRegister.GHC)))) {
            throw new PortException(transport.describe() + ": HBA reset did not complete within " + millis
                    + " ms (GHC.HR stays set, AHCI 1.3.1 §10.4.3); the controller does not answer: power-cycle the machine.");
        }
        write(HbaRegister.GHC, Ghc.AE.mask());
    }

    /**
     * One port's ISR on the shared line (§10.7.2). The port layer calls the ports in port order
     * under one interrupt lock, so the first port latches IS, each port services its PxIS when
     * its IS bit is set, and the last port clears the IS bits that were latched. DIRQL;
     * allocates nothing.
     */
    boolean portInterrupt(AhciPort port) {
        if (port.number() == firstPort) {
            if (loss.isLost()) {
                loss.ignoredInterrupt();
                latchedIs = 0;
            } else {
                latchedIs = readIs();
            }
        }
        boolean claimed = (latchedIs & (1 << port.number())) != 0 && port.interrupt();
        if (port.number() == lastPort && latchedIs != 0 && !loss.isLost()) {
            try {
                write(HbaRegister.IS, latchedIs);
            } catch (DeviceLostException e) {
                loss.lose(e.getMessage());
            }
        }
        return claimed;
    }

    /**
     * HBA IS at the start of an interrupt, or 0 when the controller is lost (found lost now: the
     * read timed out, or IS read all ones with fewer than 32 ports implemented). A lost controller's
     * interrupts are counted and ignored. DIRQL; allocates nothing while the controller answers.
     */
    private int readIs() {
        try {
            int is = read(HbaRegister.IS);
            return caps.portsImplemented() == -1 ? is : loss.check(is, "HBA IS");
        } catch (DeviceLostException e) {
            loss.lose(e.getMessage());
            return 0;
        }
    }

    /** Whether the controller is lost, and why (shared with every port). */
    public ControllerLoss loss() {
        return loss;
    }

    public HbaCapabilities capabilities() {
        return caps;
    }

    /** The implemented ports, in port-number order. */
    public List<AhciPort> ports() {
        return Collections.unmodifiableList(ports);
    }

    /** Things that went wrong but did not stop the bring-up. */
    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    public Transport transport() {
        return transport;
    }

    public boolean syncWithIsr() {
        return config.syncWithIsr();
    }

    /** Failures the port layer recorded on its own threads (none in a healthy run). */
    public List<Throwable> portLayerFailures() {
        return portDriver == null ? List.of() : portDriver.failures();
    }

    /**
     * Stops every channel (StopChannel stops each port), disables the HBA's interrupt, stops the
     * port layer's threads and frees DMA memory. PASSIVE.
     */
    @Override
    public void close() {
        try {
            if (portDriver != null) {
                portDriver.close();
            }
            if (!loss.isLost()) {
                write(HbaRegister.GHC, read(HbaRegister.GHC) & ~Ghc.IE.mask());
            }
        } catch (RuntimeException e) {
            warnings.add("closing: " + e.getMessage());
        } finally {
            for (AhciPort port : ports) {
                port.release();
            }
        }
    }
}
