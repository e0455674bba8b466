package io.jahci.ataport;

import java.util.concurrent.TimeUnit;

/** How a {@link PortDriver} is built: thread counts, verifier, budgets. Fluent and mutable until used. */
public final class PortDriverOptions {
    private int dispatchThreads = 2;
    private int workItemThreads = 2;
    private WaitMode waitMode = WaitMode.BLOCK;
    private ThreadPlacement threadPlacement = ThreadPlacement.none();
    private boolean verifier = Boolean.getBoolean("jahci.verifier");
    private long isrBudgetNanos = TimeUnit.MILLISECONDS.toNanos(1);
    private int workerRoutineQueueDepth = 256;
    private long shutdownTimeoutNanos = TimeUnit.SECONDS.toNanos(2);
    private LatencyProbe latencyProbe;
    /** The clock channel timers read (AtaPortRequestTimer); tests drive it by hand. */
    private java.util.function.LongSupplier timerClock = System::nanoTime;
    private CompletionMode completionMode = CompletionMode.parse(System.getProperty("jahci.completion", "interrupt"));

    /** A new, independent set of options with the same values; the caller's stays as it was. */
    public PortDriverOptions copy() {
        PortDriverOptions c = new PortDriverOptions();
        c.dispatchThreads = dispatchThreads;
        c.workItemThreads = workItemThreads;
        c.waitMode = waitMode;
        c.threadPlacement = threadPlacement;
        c.verifier = verifier;
        c.isrBudgetNanos = isrBudgetNanos;
        c.workerRoutineQueueDepth = workerRoutineQueueDepth;
        c.shutdownTimeoutNanos = shutdownTimeoutNanos;
        c.latencyProbe = latencyProbe;
        c.timerClock = timerClock;
        c.completionMode = completionMode;
        return c;
    }

    /** Size of the fixed pool of DISPATCH worker threads (worker routines, timers, completions). Default 2. */
    public PortDriverOptions dispatchThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("dispatchThreads must be at least 1: " + n);
        }
        dispatchThreads = n;
        return this;
    }

    /**
     * Number of PASSIVE work-item threads (Storport work items). Default 2: a callback may block
     * (the AHCI miniport's recovery polls the link for up to seconds), and with one thread a single
     * blocked callback would hold every other channel's work items, its recovery included, behind
     * it; with two, one port's blocked recovery leaves a thread for the others. Raise it to the
     * number of channels whose callbacks may block at once.
     */
    public PortDriverOptions workItemThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("workItemThreads must be at least 1: " + n);
        }
        workItemThreads = n;
        return this;
    }

    /**
     * How the interrupt thread and idle DISPATCH workers wait: block, spin, or spin then block
     * ({@link WaitMode}). Spinning lowers latency and keeps a core busy. Default block.
     */
    public PortDriverOptions waitMode(WaitMode mode) {
        waitMode = java.util.Objects.requireNonNull(mode);
        return this;
    }

    /**
     * CPU and SCHED_FIFO per thread role, applied by each port thread when it starts; also where
     * the port threads register for the read-back. Default {@link ThreadPlacement#none()}.
     */
    public PortDriverOptions threadPlacement(ThreadPlacement placement) {
        threadPlacement = java.util.Objects.requireNonNull(placement);
        return this;
    }

    /**
     * Turns the {@link Verifier}'s costly checks (ISR and synchronized-routine timing against {@link #isrBudget}) on or off;
     * the misuse rules are checked either way. Default: system property {@code jahci.verifier}.
     */
    public PortDriverOptions verifier(boolean on) {
        verifier = on;
        return this;
    }

    /**
     * With the verifier on, an ISR, or a synchronized routine requested outside the ISR, running
     * longer than this is a verifier warning: both hold the interrupt lock, so both hold off every
     * ISR of the source for that long. Default 1 ms.
     */
    public PortDriverOptions isrBudget(long amount, TimeUnit unit) {
        isrBudgetNanos = unit.toNanos(amount);
        return this;
    }

    /** Worker routines each channel can have queued at once. Default 256. */
    public PortDriverOptions workerRoutineQueueDepth(int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("workerRoutineQueueDepth must be at least 1: " + depth);
        }
        workerRoutineQueueDepth = depth;
        return this;
    }

    /** How long close() and Channel.stop() wait for threads and deferred work. Default 2 s. */
    public PortDriverOptions shutdownTimeout(long amount, TimeUnit unit) {
        shutdownTimeoutNanos = unit.toNanos(amount);
        return this;
    }

    /** Observation points on the interrupt path (for benchmarks); null (the default) for none. */
    public PortDriverOptions latencyProbe(LatencyProbe probe) {
        latencyProbe = probe;
        return this;
    }

    /**
     * How completions are detected: by interrupt, by polling, or sleep-then-poll. Default: system
     * property {@code jahci.completion} ({@code interrupt} when unset; the test suite runs in
     * each mode with it).
     */
    public PortDriverOptions completionMode(CompletionMode mode) {
        completionMode = java.util.Objects.requireNonNull(mode, "completionMode");
        return this;
    }

    public CompletionMode completionMode() {
        return completionMode;
    }

    int dispatchThreads() {
        return dispatchThreads;
    }

    int workItemThreads() {
        return workItemThreads;
    }

    public WaitMode waitMode() {
        return waitMode;
    }

    public ThreadPlacement threadPlacement() {
        return threadPlacement;
    }

    boolean verifier() {
        return verifier;
    }

    public long isrBudgetNanos() {
        return isrBudgetNanos;
    }

    int workerRoutineQueueDepth() {
        return workerRoutineQueueDepth;
    }

    long shutdownTimeoutNanos() {
        return shutdownTimeoutNanos;
    }

    /**
     * Replaces the clock of channel timers (nanoseconds, as {@link System#nanoTime}), so that a test
     * decides when a timer is due; after moving it, the test wakes the timer thread
     * ({@link PortDriver#timerChanged}). Package-private: for tests only.
     */
    PortDriverOptions timerClock(java.util.function.LongSupplier clock) {
        timerClock = clock;
        return this;
    }

    java.util.function.LongSupplier timerClock() {
        return timerClock;
    }

    LatencyProbe latencyProbe() {
        return latencyProbe;
    }
}
