package io.jahci.hw.pci;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Releases open VFIO and UIO transports when the JVM exits without closing them (Ctrl-C, SIGTERM,
 * System.exit): one shutdown hook for all. A transport registers when it has the device and
 * unregisters when it closes.
 */
public final class ReleaseOnExit {
    /** What a transport does at exit: quiesce the device and give up the kernel objects. */
    public interface Releasable {
        /**
         * Called from the shutdown hook while other threads may still run: must stop interrupts
         * and DMA, but may leave process mappings in place (the process is ending).
         */
        void releaseAtExit();
    }

    private static final Set<Releasable> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Releasable r : LIVE) {
                try {
                    r.releaseAtExit();
                } catch (RuntimeException e) {
                    System.err.println("jahci: releasing the device at exit: " + e.getMessage());
                }
            }
        }, "jahci-release-device"));
    }

    private ReleaseOnExit() {}

    public static void register(Releasable r) {
        LIVE.add(r);
    }

    public static void unregister(Releasable r) {
        LIVE.remove(r);
    }
}
