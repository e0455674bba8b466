package io.jahci.ataport;

import io.jahci.hw.InterruptSource;
import io.jahci.platform.NativeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The port driver instance for one controller: it owns the device extension, the DISPATCH worker
 * pool, the PASSIVE work-item thread(s), the timer thread, the interrupt connections and the
 * {@link Verifier}. Channels (one per AHCI port) are created on it.
 *
 * <p>Threads: {@code jahci-dispatch-N} (DISPATCH: worker and timer routines, completions, StartIo
 * of busy-queued requests), {@code jahci-workitem-N} (PASSIVE: Storport work items),
 * {@code jahci-timer} (DISPATCH: fires channel timers by queuing their routines) and one
 * {@code jahci-irq-N} per {@link InterruptConnection}.
 *
 * @param <D> the device extension type (per controller, passed to work-item callbacks)
 */
public final class PortDriver<D> implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.jahci.ataport");

    private final D deviceExtension;
    private final PortDriverOptions options;
    private final Verifier verifier;
    private final TaskQueue dispatchQueue;
    private final TaskQueue workItemQueue;
    private final List<PortThread> dispatchThreads = new ArrayList<>();
    private final List<PortThread> workItemThreads = new ArrayList<>();
    private final PortThread timerThread;
    /** {@code jahci-poll}: polls channels for requests whose caller does not; null in INTERRUPT mode. */
    private final PortThread pollerThread;
    private final WorkItems<D> workItems;
    private final java.util.function.LongSupplier timerClock;
    /** Until when (timer clock) the timer thread sleeps: see {@link #runTimers}. */
    private volatile long timerSleepsUntil = Long.MAX_VALUE;
    private final List<InterruptConnection> connections = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private volatile Channel<?>[] channels = new Channel<?>[0];
    private volatile boolean closed;

    private PortDriver(D deviceExtension, PortDriverOptions options) {
        this.deviceExtension = deviceExtension;
        this.options = options;
        this.verifier = new Verifier(options.verifier(), options.isrBudgetNanos());
        this.dispatchQueue = new TaskQueue("dispatch", options.dispatchThreads());
        this.workItemQueue = new TaskQueue("work-item", options.workItemThreads());
        for (int i = 0; i < options.dispatchThreads(); i++) {
            dispatchThreads.add(taskThread("jahci-dispatch-" + i, Irql.DISPATCH, ThreadPlacement.Role.DISPATCH,
                    options.waitMode(), dispatchQueue));
        }
        for (int i = 0; i < options.workItemThreads(); i++) {
            workItemThreads.add(taskThread("jahci-workitem-" + i, Irql.PASSIVE, ThreadPlacement.Role.WORKITEM,
                    WaitMode.BLOCK, workItemQueue));
        }
        this.timerThread = new PortThread("jahci-timer", Irql.DISPATCH, ThreadPlacement.Role.TIMER, WaitMode.BLOCK, this,
                this::runTimers);
        this.pollerThread = options.completionMode().polls() ? new PortThread("jahci-poll", Irql.DISPATCH,
                ThreadPlacement.Role.DISPATCH, WaitMode.BLOCK, this, this::runPoller) : null;
        this.workItems = new WorkItems<>(deviceExtension, workItemQueue, this);
        this.timerClock = options.timerClock();
    }

    /** Creates the port driver for one controller and starts its threads. PASSIVE. */
    public static <D> PortDriver<D> start(D deviceExtension, PortDriverOptions options) {
        Verifier.mightSleep("PortDriver.start");
        PortDriver<D> port = new PortDriver<>(deviceExtension, options);
        port.dispatchThreads.forEach(Thread::start);
        port.workItemThreads.forEach(Thread::start);
        port.timerThread.start();
        if (port.pollerThread != null) {
            port.pollerThread.start();
        }
        return port;
    }

    private PortThread taskThread(String name, Irql level, ThreadPlacement.Role role, WaitMode wait, TaskQueue queue) {
        return new PortThread(name, level, role, wait, this, () -> {
            PortThread self = (PortThread) Thread.currentThread();
            for (Task task = queue.take(self); task != null; task = queue.take(self)) {
                runTask(self, task);
            }
        });
    }

    /**
     * Runs one task on a port thread. A task records its own failures ({@link Task#run} must not throw);
     * one that throws anyway is a port-layer defect: it is recorded as a failure (so {@link #failures()}
     * and the log show it) and the thread goes on serving its queue, and its level is restored, rather
     * than ending silently and leaving every later task of its queue waiting.
     */
    private void runTask(PortThread self, Task task) {
        Irql base = self.level;
        try {
            task.run();
        } catch (Throwable t) {
            self.level = base;
            recordFailure("a task on " + self.getName() + " (" + task + ") threw; the port layer may have lost work", t);
        }
    }

    public D deviceExtension() {
        return deviceExtension;
    }

    public Verifier verifier() {
        return verifier;
    }

    /** Exceptions thrown by miniport routines and callbacks on port threads, oldest first. */
    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    /**
     * Connects an interrupt source and starts its interrupt thread. PASSIVE. The source stays
     * owned by the caller, who closes it after {@link #close()}.
     */
    public InterruptConnection connectInterrupt(InterruptSource source) throws NativeException {
        Verifier.mightSleep("PortDriver.connectInterrupt");
        InterruptConnection connection = new InterruptConnection(this, source, connections.size());
        connections.add(connection);
        connection.start();
        return connection;
    }

    /**
     * Creates a channel on {@code interrupt}: calls the miniport's channel init routine
     * (AtaChannelInitRoutine) at PASSIVE on this thread and applies the configuration it filled.
     * The channel is stopped until {@link Channel#start()}. PASSIVE.
     */
    public synchronized <X> Channel<X> createChannel(Miniport<X> miniport, InterruptConnection interrupt) {
        Verifier.mightSleep("PortDriver.createChannel");
        Channel<X> channel = new Channel<>(this, verifier, miniport, interrupt, channels.length,
                options.workerRoutineQueueDepth());
        ChannelConfiguration configuration = new ChannelConfiguration();
        channel.bind(miniport.channelInit(channel, configuration), configuration);
        Channel<?>[] grown = Arrays.copyOf(channels, channels.length + 1);
        grown[channels.length] = channel;
        channels = grown;
        interrupt.connect(channel);
        return channel;
    }

    /** StorPortInitializeWorker: a new worker handle in state IDLE. At most DISPATCH. */
    public Worker initializeWorker() {
        return workItems.initializeWorker();
    }

    /**
     * StorPortQueueWorkItem: {@code callback} will run at PASSIVE on a work-item thread with no
     * port lock held, receiving the device extension, {@code context} and {@code worker}. At most
     * DISPATCH; may be called from inside the worker's own callback to run it again.
     *
     * @throws VerifierException QUEUE_FREED_WORKER or QUEUE_QUEUED_WORKER if the worker is freed,
     *     or queued and not yet started; WRONG_LEVEL at DIRQL
     */
    public void queueWorkItem(Worker worker, WorkItemCallback<D> callback, Object context) {
        workItems.queue(worker, callback, context);
    }

    /**
     * StorPortFreeWorker: releases an idle worker (or, from inside its own callback, the running
     * one); it can never be queued again. A worker that is queued, or whose callback runs on another
     * thread, is {@link Worker.FreeStatus#BUSY} (STOR_STATUS_BUSY): nothing changes, free it later
     * (from its callback, or with {@link #freeWorkerWhenIdle}). A worker still queued when the port
     * closed will never run and is freed. Never waits; at most DISPATCH.
     *
     * @throws VerifierException FREE_FREED_WORKER if it is already free; FREE_REQUEUED_WORKER from
     *     its own callback after queuing it again; WRONG_LEVEL at DIRQL
     */
    public Worker.FreeStatus freeWorker(Worker worker) {
        return workItems.free(worker);
    }

    /**
     * Frees the worker as {@link #freeWorker} does, first waiting until it is neither queued nor
     * running (its callback returned), at most {@code timeout}. PASSIVE only (it parks).
     *
     * @throws IllegalStateException if the worker is still queued or running at the bound
     * @throws VerifierException as {@link #freeWorker}, and BLOCKING_CALL_AT_RAISED_LEVEL above PASSIVE
     */
    public void freeWorkerWhenIdle(Worker worker, long timeout, TimeUnit unit) {
        workItems.freeWhenIdle(worker, unit.toNanos(timeout));
    }

    /**
     * AtaPortControllerSyncRoutine. Runs {@code routine} on the calling thread at DIRQL, holding the
     * interrupt lock of every interrupt source of this controller, taken in connection order, so that
     * no ISR of any channel runs meanwhile; it receives the device extension. Where per-channel
     * synchronization ({@link Channel#requestSynchronizedRoutine}) excludes the ISRs of one source,
     * this excludes them all: for HBA-wide state several channels' ISRs share. Callable at DISPATCH or
     * below, or at DIRQL by a caller that already holds every interrupt lock of the controller (then it
     * simply runs); at the DIRQL of only some of them it is refused, as taking the others there could
     * deadlock against their ISRs. Timed against the ISR's budget when the verifier is on; allocates
     * nothing.
     *
     * @throws VerifierException WRONG_LEVEL at the DIRQL of part of the controller's sources
     * @throws IllegalStateException after {@link #close()}
     */
    public void requestControllerSynchronizedRoutine(ControllerRoutine<D> routine) {
        if (closed) {
            throw new IllegalStateException("PortDriver.requestControllerSynchronizedRoutine(" + routine
                    + "): the port is closed; no ISR runs and the routine has no controller to synchronize with");
        }
        List<InterruptConnection> sources = connections; // indexed: an iterator would allocate
        int count = sources.size();
        int held = 0;
        for (int i = 0; i < count; i++) {
            held += sources.get(i).lock().isHeldByCurrentThread() ? 1 : 0;
        }
        if (held == count && count > 0) {
            routine.run(deviceExtension);
            return;
        }
        if (Irql.current() == Irql.DIRQL) {
            throw Verifier.violation(VerifierException.Rule.WRONG_LEVEL, "PortDriver.requestControllerSynchronizedRoutine",
                    "<= DISPATCH, or DIRQL holding every interrupt lock of the controller",
                    "DIRQL holding " + held + " of its " + count + " interrupt locks (taking the others deadlocks)");
        }
        int locked = 0;
        try {
            for (; locked < count; locked++) {
                sources.get(locked).lock().lock();
            }
            Irql previous = Levels.raise(Irql.DIRQL);
            boolean timed = verifier.timesIsr();
            long start = timed ? System.nanoTime() : 0;
            try {
                routine.run(deviceExtension);
            } finally {
                if (timed) {
                    verifier.controllerRoutineFinished(routine, System.nanoTime() - start);
                }
                Levels.restore(previous);
            }
        } finally {
            while (locked > 0) {
                sources.get(--locked).lock().unlock();
            }
        }
    }

    /**
     * Stops every started channel, then all port threads, and waits for each (bounded by the
     * shutdown timeout). PASSIVE only.
     *
     * @throws IllegalStateException naming the threads still running after the timeout
     */
    @Override
    public void close() {
        Verifier.mightSleep("PortDriver.close");
        if (closed) {
            return;
        }
        for (Channel<?> channel : channels) {
            if (channel.isStarted()) {
                channel.stop();
            }
        }
        closed = true;
        for (InterruptConnection connection : connections) {
            try {
                connection.requestShutdown();
            } catch (NativeException e) {
                recordFailure("stopping the interrupt thread of " + connection.source().describe(), e);
            }
        }
        int dropped = dispatchQueue.close(dispatchThreads);
        if (dropped > 0) {
            recordFailure("closing the port", new IllegalStateException(dropped + " DISPATCH task(s) were still queued"
                    + " after every channel stopped; their completions or routines never ran"));
        }
        workItemQueue.close(workItemThreads); // queued work items are freed unrun (WorkItems.close)
        workItems.close();
        LockSupport.unpark(timerThread);
        wakePoller();
        List<String> stillRunning = new ArrayList<>();
        long deadline = System.nanoTime() + options.shutdownTimeoutNanos();
        for (PortThread thread : allThreads()) {
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                stillRunning.add(thread.getName() + " " + Arrays.toString(thread.getStackTrace()));
            }
        }
        for (InterruptConnection connection : connections) {
            if (!connection.thread().isAlive()) {
                try {
                    connection.release();
                } catch (NativeException e) {
                    recordFailure("closing the fds of " + connection.source().describe(), e);
                }
            }
        }
        if (!stillRunning.isEmpty()) {
            String message = "port threads still running " + TimeUnit.NANOSECONDS.toMillis(options.shutdownTimeoutNanos())
                    + " ms after close: " + stillRunning;
            LOG.log(System.Logger.Level.ERROR, message);
            throw new IllegalStateException(message);
        }
    }

    // ---------------------------------------------------------------- internals

    PortDriverOptions options() {
        return options;
    }

    /** Queues a channel's DPC for the DISPATCH workers. Any level; allocates nothing. */
    void dispatch(Task task) {
        dispatchQueue.put(task);
    }

    /** Now, on the clock channel timers use ({@link System#nanoTime} unless a test drives it). Any level. */
    long timerNanos() {
        return timerClock.getAsLong();
    }

    /** Wakes the timer thread to recompute its next deadline. Any level. */
    void timerChanged() {
        LockSupport.unpark(timerThread);
    }

    /**
     * A channel timer was armed for {@code deadline} (on {@link #timerNanos()}'s clock): wakes the
     * timer thread only if it sleeps until later (or is scanning), so a command that arms its
     * deadline after the previous command's (QD1: arm, cancel, arm later) costs the timer thread no
     * wake-up; the thread finds a later or cancelled timer when it wakes at its own deadline. Any
     * level; allocates nothing.
     */
    void timerArmed(long deadline) {
        if (deadline < timerSleepsUntil) {
            LockSupport.unpark(timerThread);
        }
    }

    /** Wakes the poller thread: a channel has a request to watch, or the port closes. Any level. */
    void wakePoller() {
        if (pollerThread != null) {
            LockSupport.unpark(pollerThread);
        }
    }

    /**
     * Thread start hook of every port thread: applies its role's {@link ThreadPlacement} (CPU,
     * SCHED_FIFO) and registers the thread for the read-back. A refusal by the kernel is recorded
     * as a failure; the thread then runs unplaced. PASSIVE, on the starting thread.
     */
    void placeCurrentThread(ThreadPlacement.Role role) {
        try {
            options.threadPlacement().applyToCurrentThread(role);
        } catch (io.jahci.platform.NativeException e) {
            recordFailure("placing " + Thread.currentThread().getName() + " (" + role.key() + ")", e);
        }
    }

    void recordFailure(String where, Throwable t) {
        failures.add(t);
        LOG.log(System.Logger.Level.ERROR, "failure in " + where, t);
    }

    /** Every thread the port owns: dispatch, work-item, timer, interrupt. For diagnostics and tests. */
    List<PortThread> allThreads() {
        List<PortThread> all = new ArrayList<>(dispatchThreads);
        all.addAll(workItemThreads);
        all.add(timerThread);
        if (pollerThread != null) {
            all.add(pollerThread);
        }
        for (InterruptConnection connection : connections) {
            all.add(connection.thread());
        }
        return all;
    }

    List<PortThread> dispatchThreads() {
        return dispatchThreads;
    }

    /**
     * The poller thread's body, DISPATCH: while some channel has requests nobody else polls for, it
     * polls them (spinning; in HYBRID it first sleeps half the channel's mean service time each
     * time it finds work anew), else parks until {@link #wakePoller}.
     */
    private void runPoller() {
        boolean busy = false;
        while (!closed) {
            boolean watched = false;
            boolean found = false;
            for (Channel<?> channel : channels) {
                ChannelPolling<?> polling = channel.polling();
                if (polling.watched()) {
                    if (!busy && polling.hybridSleepNanos() > 0) {
                        LockSupport.parkNanos(this, polling.hybridSleepNanos());
                    }
                    watched = true;
                    found |= polling.poll();
                }
            }
            busy = watched;
            if (!watched) {
                LockSupport.park(this);
            } else if (!found) {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * The timer thread's body: fires due channel timers, then parks until the next deadline,
     * published in {@link #timerSleepsUntil}. While it scans the channels the value is MAX_VALUE, so
     * that every timer armed meanwhile, which the scan may have missed, unparks it: its park then
     * returns at once and it scans again. (A timer arms under its channel's queue lock, which the
     * scan takes too, so an arm the scan missed reads the scan's MAX_VALUE or what followed it.)
     * DISPATCH.
     */
    private void runTimers() {
        while (!closed) {
            timerSleepsUntil = Long.MAX_VALUE;
            long now = timerClock.getAsLong();
            long wait = Long.MAX_VALUE;
            for (Channel<?> channel : channels) {
                try {
                    wait = Math.min(wait, channel.fireTimerIfDue(now));
                } catch (RuntimeException e) {
                    recordFailure("timer of " + channel, e);
                }
            }
            if (wait == Long.MAX_VALUE) {
                timerSleepsUntil = Long.MAX_VALUE;
                LockSupport.park(this);
            } else {
                timerSleepsUntil = now + wait;
                LockSupport.parkNanos(this, wait);
            }
        }
    }
}
