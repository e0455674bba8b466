package io.jahci.bench;

import io.jahci.ataport.Channel;
import io.jahci.ataport.ChannelConfiguration;
import io.jahci.ataport.ChannelRoutine;
import io.jahci.ataport.ControlAction;
import io.jahci.ataport.InterruptConnection;
import io.jahci.ataport.IoRequest;
import io.jahci.ataport.LatencyProbe;
import io.jahci.ataport.Miniport;
import io.jahci.ataport.PortDriver;
import io.jahci.ataport.PortDriverOptions;
import io.jahci.ataport.ThreadPlacement;
import io.jahci.ataport.WorkItemCallback;
import io.jahci.ataport.Worker;
import io.jahci.hw.EventFdInterruptSource;
import io.jahci.platform.NativeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The Java side of {@code bench irq}: the port layer's real interrupt path driven by an
 * {@link EventFdInterruptSource} that a stimulus thread signals.
 *
 * <pre>
 * stimulus thread        signal() at the intended time (or back to back)
 * jahci-irq-0            epoll returns            -> LatencyProbe.interruptWake: stage "wake"
 *                        interrupt lock, ISR      -> stage "isr"; requests the worker routine
 * jahci-dispatch-N       worker routine (DISPATCH, channel lock) -> stage "worker";
 *                          requests a synchronized routine (DIRQL, interrupt lock) -> "synchronized",
 *                          queues a Storport work item
 * jahci-workitem-0       work item (PASSIVE)      -> stage "workitem"
 * </pre>
 *
 * <p>Which routine asks for what follows the level table of docs/port-layer.md: the ISR runs at DIRQL, where only
 * AtaPortRequestWorkerRoutine (and synchronized work) is allowed; StorPortQueueWorkItem needs
 * DISPATCH or lower, so the worker routine queues the work item; the worker routine also touches
 * ISR-shared state through a synchronized routine, as a miniport's DPC does.
 *
 * <p>Signals can coalesce in the eventfd, so each stage handles every event up to the newest one
 * the previous stage published. The ISR requests the worker routine only when none is pending,
 * and the worker routine queues the work item only when it is not queued (queuing a queued worker
 * is a verifier error), like the coalescing flags a miniport keeps.
 *
 * <p>Everything the path touches is preallocated: the stamp arrays, the routines (fields, not
 * capturing lambdas), the worker handle. {@link #run} measures, with ThreadMXBean, the bytes
 * allocated on the threads that ran the ISR, the worker routines and the work items.
 */
public final class JavaIrqPipeline implements Miniport<JavaIrqPipeline>, LatencyProbe {
    /** Give up when the pipeline makes no progress for this long (a port thread died). */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** The outcome of a Java run. */
    public record Result(RawRun run, Map<String, Long> allocatedBytesByThread, List<BenchThread> threads,
            long interrupts, int verifierWarnings, double seconds, boolean timerSlackSet) {
        public long allocatedBytes() {
            return allocatedBytesByThread.values().stream().mapToLong(Long::longValue).sum();
        }

        public double allocatedBytesPerEvent() {
            return run.measured() == 0 ? 0 : (double) allocatedBytes() / run.measured();
        }
    }

    private final IrqSettings settings;
    private final RawRun run;
    private final long[] intended;
    private final long[] send;
    private final long[] wake;
    private final long[] isr;
    private final long[] worker;
    private final long[] sync;
    private final long[] workItem;

    private Channel<JavaIrqPipeline> channel;
    private PortDriver<JavaIrqPipeline> port;
    private Worker workItemHandle;
    private EventFdInterruptSource source;

    // Stimulus -> ISR
    private volatile int sent;
    // Interrupt thread only
    private long lastWake;
    private int isrSeen;
    // ISR -> worker routine
    private volatile int isrUpTo;
    private volatile boolean workerPending;
    // Worker routine only (one DPC per channel at a time)
    private int workerSeen;
    private int syncFrom;
    private int syncTo;
    // Worker routine -> work item
    private volatile int workerUpTo;
    private volatile boolean workItemPending;
    // Work item only
    private int itemSeen;
    // Work item -> stimulus
    private volatile int done;

    private final ThreadSet irqThreads = new ThreadSet();
    private final ThreadSet dispatchThreads = new ThreadSet();
    private final ThreadSet workItemThreads = new ThreadSet();

    private final ChannelRoutine<JavaIrqPipeline> workerRoutine = JavaIrqPipeline::workerRoutine;
    private final ChannelRoutine<JavaIrqPipeline> synchronizedRoutine = JavaIrqPipeline::synchronizedRoutine;
    private final WorkItemCallback<JavaIrqPipeline> workItemCallback = (self, context, w) -> self.workItem();

    private JavaIrqPipeline(IrqSettings settings, int capacity) {
        this.settings = settings;
        this.run = new RawRun(capacity, Stage.SEND, Stage.WAKE, Stage.ISR, Stage.WORKER, Stage.SYNCHRONIZED,
                Stage.WORKITEM);
        this.intended = run.intended;
        this.send = run.stamps.get(Stage.SEND);
        this.wake = run.stamps.get(Stage.WAKE);
        this.isr = run.stamps.get(Stage.ISR);
        this.worker = run.stamps.get(Stage.WORKER);
        this.sync = run.stamps.get(Stage.SYNCHRONIZED);
        this.workItem = run.stamps.get(Stage.WORKITEM);
    }

    /** Runs warm-up then the measured events through the port layer; PASSIVE, blocks until done. */
    public static Result run(IrqSettings settings) throws NativeException, InterruptedException {
        return create(settings).execute();
    }

    /** A pipeline for {@code settings}, not started: {@link #execute} runs it. */
    public static JavaIrqPipeline create(IrqSettings settings) {
        return new JavaIrqPipeline(settings, settings.warmupEvents() + settings.events());
    }

    /**
     * Events signalled so far, warm-up included: for progress. Any thread; it reads the field the stimulus publishes
     * each event to the ISR anyway, so watching adds nothing to the measured path.
     */
    public int sent() {
        return sent;
    }

    /** Runs warm-up then the measured events through the port layer; PASSIVE, blocks until done. */
    public Result execute() throws NativeException, InterruptedException {
        ThreadMeter meter = new ThreadMeter();
        PortDriverOptions options = new PortDriverOptions()
                .dispatchThreads(settings.dispatchThreads())
                .waitMode(settings.waitMode())
                .threadPlacement(settings.placement())
                .verifier(settings.verifier())
                // A verifier warning allocates; an ISR preempted on a busy 2-core machine easily
                // exceeds the default 1 ms, so the budget is 1 s here (warnings are still reported).
                .isrBudget(1, TimeUnit.SECONDS)
                .latencyProbe(this);
        source = new EventFdInterruptSource("bench irq eventfd");
        try {
            port = PortDriver.start(this, options);
            try {
                InterruptConnection connection = port.connectInterrupt(source);
                channel = port.createChannel(this, connection);
                if (!channel.start()) {
                    throw new IllegalStateException("the bench channel did not start");
                }
                workItemHandle = port.initializeWorker();
                Object[] outcome = new Object[1];
                boolean[] slack = new boolean[1];
                List<Thread> measured = new ArrayList<>();
                List<BenchThread> inForce = new ArrayList<>();
                Thread stimulus = new Thread(() -> {
                    try {
                        settings.placement().applyToCurrentThread(ThreadPlacement.Role.STIMULUS);
                        slack[0] = TimerSlack.setOneNanosecond();
                        outcome[0] = stimulate(meter);
                        // While every thread still runs: the kernel's view of each, and the CPU they used.
                        measured.addAll(irqThreads.toList());
                        measured.addAll(dispatchThreads.toList());
                        measured.addAll(workItemThreads.toList());
                        List<Thread> timed = new ArrayList<>(measured);
                        timed.add(Thread.currentThread());
                        inForce.addAll(BenchThread.of(settings.placement().readBack(), meter.cpuNanosSince(timed)));
                    } catch (Throwable t) {
                        outcome[0] = t;
                    }
                }, "jahci-bench-stimulus");
                stimulus.start();
                stimulus.join();
                if (outcome[0] instanceof Throwable t) {
                    throw new IllegalStateException("bench irq (Java) failed: " + t.getMessage(), t);
                }
                double seconds = (Double) outcome[0];
                Map<String, Long> allocated = meter.bytesSince(measured);
                long interrupts = connection.interrupts();
                int warnings = port.verifier().warnings().size();
                port.freeWorkerWhenIdle(workItemHandle, 10, TimeUnit.SECONDS); // its last callback may still run
                if (!port.failures().isEmpty()) {
                    throw new IllegalStateException("port threads failed during bench irq: " + port.failures());
                }
                return new Result(run, allocated, inForce, interrupts, warnings, seconds, slack[0]);
            } finally {
                port.close();
            }
        } finally {
            source.close();
        }
    }

    // ---------------------------------------------------------------- stimulus thread

    /** Warm-up, drain, allocation snapshot, measured run, drain. Returns the seconds both took. */
    private double stimulate(ThreadMeter meter) {
        long began = System.nanoTime();
        int w = phase(0, settings.warmupEvents(), settings.warmupNanos());
        run.warmup = w;
        meter.start();
        int total = phase(w, w + settings.events(), settings.runNanos());
        run.total = total;
        return (System.nanoTime() - began) / 1e9;
    }

    private int phase(int start, int cap, long boundNanos) {
        int i = start;
        if (!settings.backToBack()) {
            long period = settings.periodNanos();
            long t0 = System.nanoTime() + period;
            for (; i < cap; i++) {
                long at = t0 + (i - start) * period;
                sleepUntil(at);
                signal(i, at);
            }
        } else {
            long deadline = boundNanos > 0 ? System.nanoTime() + boundNanos : Long.MAX_VALUE;
            for (; i < cap; i++) {
                awaitDone(i, true);
                long at = System.nanoTime();
                if (at - deadline >= 0) {
                    break;
                }
                signal(i, at);
            }
        }
        awaitDone(i, false);
        return i;
    }

    private static void sleepUntil(long at) {
        for (long left = at - System.nanoTime(); left > 0; left = at - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private void signal(int i, long at) {
        intended[i] = at;
        send[i] = System.nanoTime();
        sent = i + 1;
        source.signal();
    }

    /** Waits until events [0, n) reached the work item: yielding (back to back) or polling every 100 us. */
    private void awaitDone(int n, boolean yield) {
        long lastProgress = System.nanoTime();
        int seen = done;
        while (seen < n) {
            if (yield) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(100_000);
            }
            int now = done;
            if (now != seen) {
                seen = now;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > STALL_NANOS) {
                throw new IllegalStateException("no progress for " + TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS)
                        + " s at event " + seen + " of " + n + "; port failures: " + port.failures());
            }
        }
    }

    // ---------------------------------------------------------------- port threads (no allocation)

    @Override
    public void interruptWake(InterruptConnection connection) {
        lastWake = System.nanoTime();
    }

    /** The ISR: DIRQL, interrupt thread, interrupt lock. */
    @Override
    public boolean interrupt(JavaIrqPipeline self) {
        // Read what was published before reading the clock, so no event is stamped before it was sent.
        int upTo = sent;
        long now = System.nanoTime();
        irqThreads.add(Thread.currentThread());
        long woke = lastWake;
        for (int i = isrSeen; i < upTo; i++) {
            // An event signalled after this wake-up (sent while the thread was already awake) was
            // first noticed by this ISR: its wake is the ISR entry. The C baseline does the same.
            wake[i] = woke - send[i] >= 0 ? woke : now;
            isr[i] = now;
        }
        isrSeen = upTo;
        isrUpTo = upTo;
        if (!workerPending) {
            workerPending = true;
            channel.requestWorkerRoutine(workerRoutine);
        }
        return true;
    }

    /** The worker routine: DISPATCH, port worker thread, channel lock. */
    private void workerRoutine() {
        workerPending = false;
        int upTo = isrUpTo;
        long now = System.nanoTime();
        dispatchThreads.add(Thread.currentThread());
        for (int i = workerSeen; i < upTo; i++) {
            worker[i] = now;
        }
        syncFrom = workerSeen;
        syncTo = upTo;
        channel.requestSynchronizedRoutine(synchronizedRoutine);
        workerSeen = upTo;
        workerUpTo = upTo;
        if (!workItemPending) {
            workItemPending = true;
            port.queueWorkItem(workItemHandle, workItemCallback, null);
        }
    }

    /** The synchronized routine: DIRQL, the worker thread holding the interrupt lock. */
    private void synchronizedRoutine() {
        long now = System.nanoTime();
        for (int i = syncFrom; i < syncTo; i++) {
            sync[i] = now;
        }
    }

    /** The Storport work item: PASSIVE, work-item thread, no lock. */
    private void workItem() {
        workItemPending = false;
        int upTo = workerUpTo;
        long now = System.nanoTime();
        workItemThreads.add(Thread.currentThread());
        for (int i = itemSeen; i < upTo; i++) {
            workItem[i] = now;
        }
        itemSeen = upTo;
        done = upTo;
    }

    // ---------------------------------------------------------------- the rest of the miniport

    @Override
    public JavaIrqPipeline channelInit(Channel<JavaIrqPipeline> channel, ChannelConfiguration configuration) {
        this.channel = channel;
        configuration.syncWithIsr(settings.syncWithIsr());
        return this;
    }

    @Override
    public boolean initialize(JavaIrqPipeline self) {
        return true;
    }

    @Override
    public boolean buildIo(JavaIrqPipeline self, IoRequest request) {
        return true;
    }

    @Override
    public boolean startIo(JavaIrqPipeline self, IoRequest request) {
        return true;
    }

    @Override
    public boolean reset(JavaIrqPipeline self) {
        return true;
    }

    @Override
    public boolean control(JavaIrqPipeline self, ControlAction action) {
        return true;
    }
}
