package io.jahci.miniport;

import io.jahci.ahci.Ghc;
import io.jahci.ahci.HbaCapabilities;
import io.jahci.ahci.HbaRegister;
import io.jahci.ahci.KnownChips;
import io.jahci.ataport.InterruptConnection;
import io.jahci.ataport.PortDriver;
import io.jahci.ataport.PortDriverOptions;
import io.jahci.hw.DeviceLostException;
import io.jahci.hw.RegisterWindow;
import io.jahci.hw.Transport;

import java.io.IOException;
import java.io.InterruptedIOException;
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
    private final KnownChips.Chip chip;
    /** When {@link #open} began, for {@link #timeline()}. */
    private final long openedAt = System.nanoTime();
    /** Bring-up's steps with their times, in the order they ended; guarded by itself. */
    private final List<String> timeline = new ArrayList<>();
    private PortDriver<AhciHba> portDriver;
    /** The controller's one interrupt connection, once the port layer started. */
    private volatile InterruptConnection line;
    /** IS as read by the first ISR of interrupt {@link #latchedAt}; guarded by the interrupt lock. */
    private int latchedIs;
    private long latchedAt = -1;

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
        this.chip = HbaSetup.identify(transport.pci());
        long setup = System.nanoTime();
        this.caps = new HbaSetup(transport.describe(), regs, config.ports().timeouts(), warnings).run(chip);
        step(setup, "HBA reset and setup (" + (chip == null ? "no known quirks" : chip.name()) + ")");
        if (!caps.supports64BitAddresses()) {
            transport.limitDmaTo32Bits();
        }
        transport.beforeReleaseAtExit(this::stopAtExit);
        try {
            for (int port = 0; port < 32; port++) {
                if (caps.isImplemented(port)) {
                    ports.add(new AhciPort(transport.describe(), port, transport, caps, config.ports(), loss));
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
        line = portDriver.connectInterrupt(transport.interrupt());
        for (AhciPort port : ports) {
            portDriver.createChannel(new AhciMiniport(this, port, config.syncWithIsr()), line);
            port.initializeRecoveryWorker();
        }
        write(HbaRegister.IS, 0xffff_ffff);
        write(HbaRegister.GHC, read(HbaRegister.GHC) | Ghc.IE.mask());
        startChannels();
        for (AhciPort port : ports) {
            if (port.state() == PortState.READY) {
                long identify = System.nanoTime();
                port.identify();
                step(identify, "port " + port.number() + ": IDENTIFY");
            }
        }
    }

    /**
     * Starts every port's channel at once, each on its own PASSIVE thread, so that a port whose link
     * or disk takes long (spin-up, a dead drive waited for twice) delays none of the others; waits
     * for all of them. A port that does not come up is named in {@link #warnings()} and its channel
     * stays stopped: Initialize never ran, so its PxIE is 0 and it sets no IS bit.
     */
    private void startChannels() throws IOException {
        String[] failures = new String[ports.size()];
        Throwable[] thrown = new Throwable[ports.size()];
        List<Thread> starters = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            int index = i;
            AhciPort port = ports.get(i);
            Thread t = new Thread(() -> {
                try {
                    long start = System.nanoTime();
                    boolean started = port.channel().start();
                    step(start, "port " + port.number() + ": StartChannel and Initialize, " + port.state());
                    if (!started) {
                        failures[index] = port.startFailure();
                    }
                } catch (Throwable e) {
                    thrown[index] = e;
                }
            }, "jahci-start-port-" + port.number());
            starters.add(t);
            t.start();
        }
        for (Thread t : starters) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the ports came up");
            }
        }
        for (int i = 0; i < ports.size(); i++) {
            if (thrown[i] != null) {
                rethrow(thrown[i]);
            }
            if (failures[i] != null) {
                warnings.add(failures[i]);
            }
        }
    }

    private static void rethrow(Throwable t) throws IOException {
        if (t instanceof IOException e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }

    /** Records one bring-up step that began at {@code startNanos} and ends now. PASSIVE, any bring-up thread. */
    private void step(long startNanos, String what) {
        long now = System.nanoTime();
        synchronized (timeline) {
            timeline.add(String.format("+%.1f ms, took %.1f ms: %s", (startNanos - openedAt) / 1e6,
                    (now - startNanos) / 1e6, what));
        }
    }

    /** Bring-up's steps, each with when it began (from the start of {@link #open}) and how long it took. */
    public List<String> timeline() {
        synchronized (timeline) {
            return List.copyOf(timeline);
        }
    }

    /** Reads an HBA register as it is now (CAP, GHC, IS, PI, VS, CAP2 from AHCI 1.2 on). Any level. */
    public int readRegister(HbaRegister reg) {
        return read(reg);
    }

    /**
     * Runs {@code reads} with no ISR of any port running (AtaPortControllerSyncRoutine: DIRQL, every
     * interrupt lock of the controller held): HBA IS is read by one port's ISR and cleared bit by bit by
     * each port's, so registers read across ports outside it may disagree (IS naming a port whose PxIS an
     * ISR has cleared since). Keep {@code reads} to register reads. PASSIVE or DISPATCH.
     */
    public void withoutIsrs(Runnable reads) {
        portDriver.requestControllerSynchronizedRoutine(hba -> reads.run());
    }

    /**
     * Interrupts serviced since the port layer started ({@link InterruptConnection#interruptsCounted()}):
     * each a wake-up of the interrupt thread on the controller's interrupt source, an interrupt being
     * serviced counted before this returns. PASSIVE or DISPATCH, not holding the interrupt lock.
     */
    public long interruptsServiced() {
        InterruptConnection l = line;
        return l == null ? 0 : l.interruptsCounted();
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

    /**
     * One port's ISR on the shared line (§10.7.2): HBA IS is read once per interrupt, by whichever
     * port's ISR runs first (the port layer calls the ISRs of one interrupt with the same
     * {@link InterruptConnection#interrupts()} count); a port whose IS bit is set services its PxIS
     * and then clears its own IS bit (RWC, §3.1.3), after its PxIS (§10.7.2.1). No port depends on
     * another's ISR running: a port whose channel did not start never had its PxIE set, so it sets
     * no IS bit. DIRQL, under the interrupt lock; allocates nothing.
     */
    boolean portInterrupt(AhciPort port) {
        long interrupt = port.channel().interrupt().interrupts();
        if (interrupt != latchedAt) {
            latchedAt = interrupt;
            if (loss.isLost()) {
                loss.ignoredInterrupt();
                latchedIs = 0;
            } else {
                latchedIs = readIs();
            }
        }
        int bit = 1 << port.number();
        if ((latchedIs & bit) == 0) {
            return false;
        }
        boolean claimed = port.interrupt();
        if (!loss.isLost()) {
            try {
                write(HbaRegister.IS, bit);
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

    /** What jahci knows about this chip by its PCI ID (quirks, with their source), or null. */
    public KnownChips.Chip knownChip() {
        return chip;
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
