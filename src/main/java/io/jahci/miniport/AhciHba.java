package io.jahci.miniport;

import io.jahci.ahci.Bohc;
import io.jahci.ahci.Cap2;
import io.jahci.ahci.Ghc;
import io.jahci.ahci.HbaRegister;
import io.jahci.hw.InterruptSource;
import io.jahci.hw.RegisterWindow;
import io.jahci.hw.Transport;
import io.jahci.platform.Epoll;
import io.jahci.platform.EventFd;
import io.jahci.platform.NativeException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The host bus adapter: takes it from the firmware, resets it, brings up every implemented port
 * (AHCI 1.3.1 §10.1.2) and dispatches its interrupt to the ports.
 *
 * <p>Threads: {@link #open} and {@link #close} run on the caller's thread. One interrupt thread
 * waits on the transport's eventfd and runs {@link #serviceInterrupt()}.
 */
public final class AhciHba implements AutoCloseable {
    private final Transport transport;
    private final RegisterWindow regs;
    private final PortOptions options;
    private final HbaCapabilities caps;
    private final List<AhciPort> ports = new ArrayList<>();
    private final EventFd stopSignal;
    private final Thread interruptThread;
    private final List<String> warnings = new ArrayList<>();
    private volatile boolean running = true;
    private volatile Throwable interruptFailure;

    private AhciHba(Transport transport, PortOptions options) throws IOException {
        this.transport = transport;
        this.regs = transport.abar();
        this.options = options;
        takeOwnership();
        reset();
        this.caps = new HbaCapabilities(read(HbaRegister.CAP), read(HbaRegister.CAP2), read(HbaRegister.PI),
                read(HbaRegister.VS));
        this.stopSignal = EventFd.createNonBlocking();
        this.interruptThread = new Thread(this::interruptLoop, "jahci-interrupt");
        interruptThread.setDaemon(true);
        try {
            for (int port = 0; port < 32; port++) {
                if (caps.isImplemented(port)) {
                    AhciPort p = new AhciPort(transport.describe(), port, transport, caps, options);
                    ports.add(p);
                    p.initialize();
                }
            }
            write(HbaRegister.IS, 0xffff_ffff);
            interruptThread.start();
            write(HbaRegister.GHC, read(HbaRegister.GHC) | Ghc.IE.mask());
            for (AhciPort p : ports) {
                p.start();
                if (p.state() == PortState.READY) {
                    p.identify();
                }
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Takes the controller from {@code transport} and brings it and its ports up. */
    public static AhciHba open(Transport transport, PortOptions options) throws IOException {
        return new AhciHba(transport, options);
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
        int cap2 = read(HbaRegister.CAP2);
        if (!Cap2.BOH.isSet(cap2)) {
            return;
        }
        write(HbaRegister.BOHC, read(HbaRegister.BOHC) | Bohc.OOS.mask());
        Timeouts t = options.timeouts();
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

    /** HBA reset (§10.4.3): GHC.AE, then GHC.HR, wait for HR to clear, then GHC.AE again. */
    private void reset() throws PortException {
        write(HbaRegister.GHC, Ghc.AE.mask());
        write(HbaRegister.GHC, Ghc.AE.mask() | Ghc.HR.mask());
        if (!Poll.until(options.timeouts().hbaResetMillis(), () -> !Ghc.HR.isSet(read(HbaRegister.GHC)))) {
            throw new PortException(transport.describe() + ": HBA reset did not complete within "
                    + options.timeouts().hbaResetMillis() + " ms (GHC.HR stays set, AHCI 1.3.1 §10.4.3); "
                    + "the controller does not answer: power-cycle the machine.");
        }
        write(HbaRegister.GHC, Ghc.AE.mask());
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

    private void interruptLoop() {
        try (Epoll epoll = new Epoll()) {
            InterruptSource irq = transport.interrupt();
            epoll.addReadable(irq.fd());
            epoll.addReadable(stopSignal.fd());
            while (running) {
                int fd = epoll.await(-1);
                if (fd == irq.fd()) {
                    irq.acknowledge();
                    serviceInterrupt();
                    irq.rearm();
                }
            }
        } catch (NativeException | RuntimeException e) {
            interruptFailure = e;
        }
    }

    /**
     * The ISR (§10.7.2): for each port flagged in IS, clear its PxIS, then clear those IS bits.
     * Runs on the interrupt thread; allocates nothing.
     */
    private void serviceInterrupt() {
        int is = read(HbaRegister.IS);
        for (int i = 0; i < ports.size(); i++) {
            AhciPort port = ports.get(i);
            if ((is & (1 << port.number())) != 0) {
                port.handleInterrupt();
            }
        }
        if (is != 0) {
            write(HbaRegister.IS, is);
        }
    }

    /** Why the interrupt thread died, or null while it runs. */
    public Throwable interruptFailure() {
        return interruptFailure;
    }

    /** Stops every port, disables interrupts and stops the interrupt thread. Caller's thread. */
    @Override
    public void close() {
        try {
            for (AhciPort port : ports) {
                try {
                    port.stop();
                } catch (PortException | RuntimeException e) {
                    warnings.add("stopping port " + port.number() + ": " + e.getMessage());
                }
            }
            write(HbaRegister.GHC, read(HbaRegister.GHC) & ~Ghc.IE.mask());
        } catch (RuntimeException e) {
            warnings.add("disabling interrupts: " + e.getMessage());
        } finally {
            running = false;
            try {
                stopSignal.signal();
                interruptThread.join(5_000);
                stopSignal.close();
            } catch (NativeException | InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (AhciPort port : ports) {
                port.release();
            }
        }
    }
}
