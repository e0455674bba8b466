package io.jahci.hw;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Releases open VFIO and UIO transports when the JVM exits without closing them (Ctrl-C, SIGTERM,
 * System.exit): one shutdown hook for all. A transport registers when it has the device and
 * unregisters when it closes.
 */
public final class ReleaseOnExit {
    /** What a transport does at exit: quiesce the device and give up the kernel objects. */
    public interface Releasable extends AutoCloseable {
        /**
         * Called from the shutdown hook while other threads may still run: must stop interrupts
         * and DMA, but may leave process mappings in place (the process is ending).
         */
        void releaseAtExit();

        /** Releases everything, mappings included; releases what was opened when the open failed half way. */
        @Override
        void close();
    }

    /** The steps that open a transport, on the new (empty) transport. */
    @FunctionalInterface
    public interface Opening<T> {
        void open(T transport) throws IOException;
    }

    /**
     * The open preamble every host transport shares: runs {@code opening} on {@code transport}; when it
     * fails, closes what it opened so far and rethrows; when it succeeds, registers the transport for
     * release at exit. PASSIVE.
     */
    public static <T extends Releasable> T open(T transport, Opening<T> opening) throws IOException {
        try {
            opening.open(transport);
        } catch (IOException | RuntimeException e) {
            try {
                transport.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        register(transport);
        return transport;
    }

    private static final Set<Releasable> LIVE = ConcurrentHashMap.newKeySet();
    /** What runs before a live transport's release at exit (the HBA stopping its engines). */
    private static final Map<Releasable, Runnable> QUIESCE = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ReleaseOnExit::releaseAll, "jahci-release-device"));
    }

    private ReleaseOnExit() {}

    /** The shutdown hook's work: for each live transport, its quiesce action, then its release. */
    static void releaseAll() {
        for (Releasable r : LIVE) {
            Runnable quiesce = QUIESCE.get(r);
            if (quiesce != null) {
                try {
                    quiesce.run();
                } catch (RuntimeException e) {
                    System.err.println("jahci: stopping the controller at exit: " + e.getMessage());
                }
            }
            try {
                r.releaseAtExit();
            } catch (RuntimeException e) {
                System.err.println("jahci: releasing the device at exit: " + e.getMessage());
            }
        }
    }

    public static void register(Releasable r) {
        LIVE.add(r);
    }

    public static void unregister(Releasable r) {
        LIVE.remove(r);
        QUIESCE.remove(r);
    }

    /** Runs {@code quiesce} before {@code r} is released at exit (see {@link Transport#beforeReleaseAtExit}). */
    public static void beforeRelease(Releasable r, Runnable quiesce) {
        QUIESCE.put(r, quiesce);
    }

    /** Whether {@code r} will be released by the shutdown hook. */
    static boolean isRegistered(Releasable r) {
        return LIVE.contains(r);
    }
}
