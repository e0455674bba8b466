package io.jahci.bench;

import io.jahci.ataport.ThreadPlacement;
import io.jahci.ataport.WaitMode;

/**
 * One {@code bench irq} configuration, shared by the Java pipeline and the C baseline.
 *
 * @param rate            events per second on a fixed schedule; 0 means back to back (event i+1 is
 *                        sent once event i reached its last stage)
 * @param warmupEvents    warm-up events (run first, drained, never recorded)
 * @param events          measured events (the capacity when {@code runNanos} bounds the run)
 * @param warmupNanos     back to back only: stop the warm-up after this long (0: no time bound)
 * @param runNanos        back to back only: stop the measured run after this long (0: no time bound)
 * @param waitMode        how the interrupt thread and the DISPATCH workers wait (C: its interrupt and
 *                        worker threads, the same way)
 * @param syncWithIsr     the channel's SyncWithIsr (Java only: the C pipeline has no StartIo)
 * @param verifier        the port layer's verifier (Java only)
 * @param dispatchThreads DISPATCH worker threads of the port (C has one worker thread)
 * @param placement       CPU and SCHED_FIFO per role; the C threads take the same (its worker is
 *                        the dispatch role)
 * @param mlockall        the C process locks its memory (the JVM's is locked by the CLI's --mlockall)
 */
public record IrqSettings(double rate, int warmupEvents, int events, long warmupNanos, long runNanos, WaitMode waitMode,
        boolean syncWithIsr, boolean verifier, int dispatchThreads, ThreadPlacement placement, boolean mlockall) {
    public IrqSettings {
        if (rate < 0 || warmupEvents < 0 || events < 1 || dispatchThreads < 1) {
            throw new IllegalArgumentException("rate >= 0, warm-up >= 0, events >= 1, dispatch threads >= 1");
        }
        if (rate > 0 && (warmupNanos != 0 || runNanos != 0)) {
            throw new IllegalArgumentException("time bounds are for back-to-back runs; at a fixed rate give event counts");
        }
    }

    /** Nanoseconds between scheduled events at a fixed rate (the same integer period in C). */
    public long periodNanos() {
        return Math.round(1e9 / rate);
    }

    public boolean backToBack() {
        return rate == 0;
    }
}
