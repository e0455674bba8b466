package io.jahci.miniport;

import io.jahci.hw.DeviceLostException;
import io.jahci.hw.PciFunction;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Whether the controller is lost, and why: set once, by the first register access that timed out
 * (the transport threw {@link DeviceLostException}: QEMU stopped answering, the VFIO fd failed) or
 * by a register that cannot read all ones on a live controller reading 0xffffffff (the device was
 * removed or its PCIe link is down: reads then complete with all ones, PCIe 5.0 §2.3.2).
 *
 * <p>Which registers count: CAP (bit 19 and ISS=0xf are reserved), PxIS (bits 8..21 and 25 are
 * reserved, AHCI 1.3.1 §3.3.5) and HBA IS unless all 32 ports are implemented (bits of
 * unimplemented ports read 0, §3.1.2). Linux's ahci masks IS with the port map instead ("0xffffffff
 * is a valid return from h/w") and leaves surprise removal to the PCI layer, which asks
 * {@code pci_device_is_present()}, i.e. whether the vendor ID still reads something other than
 * 0xffff. jahci has no PCI layer above it: it decides here, and reads the vendor ID the same way
 * to say in the message whether the whole function is gone or only its BAR answers all ones.
 *
 * <p>Once lost, every request in flight or queued fails with DeviceLostException, new ones fail
 * fast, and interrupts that still arrive are counted and ignored ({@link #ignoredInterrupt}).
 * Thread safe; {@link #isLost()} and {@link #ignoredInterrupt()} allocate nothing.
 */
public final class ControllerLoss {
    private static final System.Logger LOG = System.getLogger(ControllerLoss.class.getName());
    private static final int VENDOR_ID = 0x00;

    private final String controller;
    /** The function's config space, asked for only when a fault needs it. */
    private final Supplier<PciFunction> pci;
    private final AtomicReference<String> reason = new AtomicReference<>();
    private volatile long ignoredInterrupts;
    private volatile Runnable listener = () -> { };

    ControllerLoss(String controller, Supplier<PciFunction> pci) {
        this.controller = controller;
        this.pci = pci;
    }

    /**
     * Runs {@code l} once, on the thread that finds the controller lost, right after it is marked
     * lost: the HBA fails every port's commands in flight there.
     */
    void onLost(Runnable l) {
        this.listener = l;
    }

    /** Whether the controller is lost. Any level. */
    public boolean isLost() {
        return reason.get() != null;
    }

    /** Why the controller is lost, or null. */
    public String reason() {
        return reason.get();
    }

    /**
     * Marks the controller lost (the first cause wins; later ones are ignored) and returns the
     * exception to fail requests with, naming the controller and the first cause. Logs one line,
     * once. Any level.
     */
    DeviceLostException lose(String cause) {
        if (reason.compareAndSet(null, cause)) {
            LOG.log(System.Logger.Level.WARNING, controller + ": controller lost: " + cause);
            listener.run();
        }
        return new DeviceLostException(controller + ": " + describe());
    }

    /**
     * The command engine of a port would not stop (PxCMD.CR stays set after ST was cleared, AHCI
     * 1.3.1 §10.3.2), so its commands may still move data: bus mastering is turned off on the
     * function (PCI command register), after which the device can move no data at all, and the
     * controller is lost. Only then may its commands fail. PASSIVE.
     */
    DeviceLostException stopDma(String cause) {
        int newline = cause.indexOf('\n'); // the register history follows in the request's own message
        String what = newline < 0 ? cause : cause.substring(0, newline);
        String how;
        try {
            PciFunction function = pci.get();
            function.writeConfig16(PciFunction.COMMAND, function.readConfig16(PciFunction.COMMAND)
                    & ~PciFunction.COMMAND_BUS_MASTER);
            how = "bus mastering was turned off, so none of its commands can move data any more";
        } catch (java.io.IOException | RuntimeException e) {
            how = "turning bus mastering off failed too (" + e.getMessage() + ")";
        }
        return lose(what + "; " + how);
    }

    /** A sentence for messages: that the controller is lost, why, and what to do. */
    String describe() {
        return "the controller is lost (" + reason.get() + "); every request fails. Check that the device is "
                + "still there (lspci), then restart jahci.";
    }

    /**
     * Returns {@code value}, read from {@code register}, unless it is 0xffffffff, which a live
     * controller never returns there: then the controller is lost and this throws. Any level
     * (the vendor-ID check is one more register access).
     */
    int check(int value, String register) {
        if (value != -1) {
            return value;
        }
        throw lose(register + " reads 0xffffffff: the device was removed or its link is down ("
                + vendorIdSays() + ")");
    }

    private String vendorIdSays() {
        try {
            int ids = pci.get().readConfig32(VENDOR_ID);
            return (ids & 0xffff) == 0xffff ? "its PCI vendor ID reads 0xffff too: the function is gone"
                    : String.format("its PCI config space still answers, vendor %04x device %04x", ids & 0xffff,
                            ids >>> 16);
        } catch (java.io.IOException | RuntimeException e) {
            return "its PCI config space does not answer either: " + e.getMessage();
        }
    }

    /** Counts an interrupt that arrived after the controller was lost. DIRQL; allocates nothing. */
    void ignoredInterrupt() {
        ignoredInterrupts++;
    }

    /** Interrupts ignored since the controller was lost. */
    public long ignoredInterrupts() {
        return ignoredInterrupts;
    }
}
