package io.jahci.bench;

import io.jahci.disk.Disk;
import io.jahci.disk.DiskRequest;
import io.jahci.disk.InFlightBuffers;
import io.jahci.platform.Json;
import io.jahci.fault.PortException;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * An fio-like I/O benchmark on one disk: sequential or random reads or writes of one block size,
 * with a fixed number of requests kept in flight for a fixed time. Latency is per request, from
 * submit to completion, in HdrHistogram. Caller's thread submits; completions record. While all
 * requests are in flight, and at the end, the caller waits in {@link Disk#awaitCompletions}: by
 * interrupt it then services the controller's interrupt itself, as a synchronous caller does; with
 * polled completions it polls itself (its requests are {@link Disk#newAwaitedRequest awaited}), so no
 * port thread is woken per request. One reusable {@link DiskRequest} per request in flight: the I/O
 * loop allocates nothing.
 */
public final class IoBench {
    /** The access pattern. */
    public enum Pattern {
        READ(false, false), WRITE(true, false), RANDREAD(false, true), RANDWRITE(true, true);

        final boolean write;
        final boolean random;

        Pattern(boolean write, boolean random) {
            this.write = write;
            this.random = random;
        }

        public static Pattern parse(String text) {
            try {
                return valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--rw " + text + ": use read, write, randread or randwrite");
            }
        }
    }

    /**
     * What one run measured.
     *
     * @param costs what each command cost (switches, CPU, interrupts, registers, allocation), or null when
     *              they were not counted
     * @param histogram every request's latency (ns), for {@code --hgrm} and the plot; no longer recorded into
     * @param timeline completions per interval, for the plot
     */
    public record Result(Pattern pattern, int blockBytes, int queueDepth, long ios, double seconds, StageStats latency,
            IoCosts.PerCommand costs, Histogram histogram, IoTimeline timeline) {
        public double iops() {
            return ios / seconds;
        }

        /** {@code randread-4k-qd32}: the job's name in file names and in the plot's legend. */
        public String name() {
            String bs = blockBytes % (1 << 20) == 0 ? blockBytes / (1 << 20) + "m"
                    : blockBytes % 1024 == 0 ? blockBytes / 1024 + "k" : Integer.toString(blockBytes);
            return pattern.name().toLowerCase(Locale.ROOT) + "-" + bs + "-qd" + queueDepth;
        }

        public double bytesPerSecond() {
            return ios * (double) blockBytes / seconds;
        }

        /**
         * {@code {"rw","bs","qd","ios","seconds","iops","bytesPerSecond","latency":{"count","p50",...,"max"}}}, latency
         * in ns; when the costs were counted also {@code "registerReadsPerCommand"}, {@code "registerWritesPerCommand"},
         * {@code "perCommand"} ({@link IoCosts.PerCommand#toJson()}), {@code "jitCompilationMillis"} (the JIT's
         * compilation time in the window) and {@code "exitedThreads"} (threads that ended in the window).
         */
        public Map<String, Object> toJson() {
            Map<String, Object> json = Json.object();
            json.put("rw", pattern.name().toLowerCase(Locale.ROOT));
            json.put("bs", blockBytes);
            json.put("qd", queueDepth);
            json.put("ios", ios);
            json.put("seconds", Json.fixed(seconds, 3));
            json.put("iops", Json.fixed(iops(), 1));
            json.put("bytesPerSecond", Json.fixed(bytesPerSecond(), 0));
            json.put("latency", latency.toJson());
            if (costs != null) {
                IoCosts.PerCommand.putJson(json, "Command", costs, ios);
            }
            return json;
        }
    }

    /** Told after each submitted I/O how many were submitted and how long the run has gone; the caller's thread. */
    @FunctionalInterface
    public interface Progress {
        void update(long ios, long elapsedNanos, long durationNanos);
    }

    /**
     * What each request's completion records: its latency and completion time, or the first failure;
     * then it frees its buffer. DISPATCH, on the thread that completes it; allocates nothing.
     */
    private static final class Recorder {
        final Histogram latency;
        final AtomicReference<Throwable> failure;
        final InFlightBuffers buffers;
        /** When each slot's request was submitted, {@link System#nanoTime()}. */
        final long[] submittedAt;
        /** Set before the first request is submitted. */
        volatile IoTimeline timeline;

        Recorder(Histogram latency, AtomicReference<Throwable> failure, InFlightBuffers buffers, int slots) {
            this.latency = latency;
            this.failure = failure;
            this.buffers = buffers;
            this.submittedAt = new long[slots];
        }

        void completed(int slot, PortException error) {
            if (error == null) {
                long now = System.nanoTime();
                synchronized (latency) {
                    latency.recordValue(Math.min(now - submittedAt[slot], latency.getHighestTrackableValue()));
                    timeline.record(now);
                }
            } else {
                failure.compareAndSet(null, error);
            }
            buffers.release(slot);
        }
    }

    /** The most rounds {@link #warmUntilJitIdle} runs. */
    public static final int JIT_IDLE_ROUNDS = 120;
    /** A round in which the compiler threads used less CPU than this compiled nothing that matters. */
    static final long JIT_IDLE_NANOS = 5_000_000L;

    /**
     * Warms the job up in rounds of one second until two rounds in a row in which the JIT's compiler
     * threads used less than 5 ms of CPU each, at most {@link #JIT_IDLE_ROUNDS} rounds: then a window
     * that follows measures code the JIT has settled on (one quiet round was seen followed by seconds
     * of compilation: tiered compilation comes in bursts as counters cross their thresholds). Judged
     * by the compiler threads' CPU time ({@link TaskStats}, /proc), not by the JVM's total compilation time, which grows only when a
     * compilation ends: a C2 compilation longer than a round would leave it unchanged while it runs.
     * Arguments as {@link #run}; returns the seconds run. The caller's thread, PASSIVE.
     */
    public static double warmUntilJitIdle(Disk disk, Pattern pattern, int blockBytes, int queueDepth, long regionSectors,
                                          Progress progress) throws PortException, InterruptedException, IOException {
        double seconds = 0;
        int quiet = 0;
        for (int round = 0; round < JIT_IDLE_ROUNDS && quiet < 2; round++) {
            TaskStats.Snapshot before = TaskStats.snapshot();
            seconds += run(disk, pattern, blockBytes, queueDepth, 1.0, regionSectors, null, progress).seconds();
            long compiling = TaskStats.between(before, TaskStats.snapshot(), Set.of()).of(TaskStats.Role.JIT).cpuNanos();
            quiet = compiling < JIT_IDLE_NANOS ? quiet + 1 : 0;
        }
        return seconds;
    }

    /** Bounds the wait for a free buffer: longer than a command's timeout and its recovery. */
    private static final long WAIT_SECONDS = 60;

    private IoBench() {}

    /**
     * Runs {@code pattern} on {@code disk} over its first {@code regionSectors} sectors for
     * {@code seconds}, {@code queueDepth} requests of {@code blockBytes} in flight. With
     * {@code costs} (on the disk's controller, opened with {@code OpenOptions.Builder.countRegisterAccesses}), the
     * result has what each command cost (per request: one command when the block fits in one), from
     * just before the first request to just after the last completed; null counts nothing. The
     * caller's thread submits (it is the costs' submitter), PASSIVE.
     *
     * @throws PortException the first request that failed (a benchmark stops at the first error)
     */
    public static Result run(Disk disk, Pattern pattern, int blockBytes, int queueDepth, double seconds,
                             long regionSectors, IoCosts costs, Progress progress)
            throws PortException, InterruptedException, IOException {
        int sectors = blockBytes / disk.sectorSize();
        long blocks = regionSectors / sectors;
        if (blocks < 1) {
            throw new IllegalArgumentException("a " + blockBytes + "-byte block does not fit in " + regionSectors + " sectors");
        }
        InFlightBuffers buffers = new InFlightBuffers(queueDepth, blockBytes);
        for (int i = 0; i < queueDepth && pattern.write; i++) {
            ByteBuffer b = buffers.buffer(i, blockBytes);
            new SplittableRandom(i).ints(blockBytes / 4).forEach(b::putInt);
        }
        Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        SplittableRandom random = new SplittableRandom(42);
        long duration = (long) (seconds * 1e9);
        // one reusable request per buffer, made before the window: nothing is allocated per I/O
        Recorder recorder = new Recorder(latency, failure, buffers, queueDepth);
        DiskRequest[] requests = new DiskRequest[queueDepth];
        for (int i = 0; i < queueDepth; i++) {
            int slot = i;
            requests[i] = disk.newAwaitedRequest((request, error) -> recorder.completed(slot, error));
        }
        long ios = 0;
        if (costs != null) {
            costs.start();
        }
        long start = System.nanoTime();
        IoTimeline timeline = new IoTimeline(start, duration);
        recorder.timeline = timeline;
        long end = start + duration;
        long next = 0;
        BooleanSupplier bufferFree = buffers::hasFree;
        while (System.nanoTime() < end && failure.get() == null) {
            if (!buffers.hasFree()) { // all in flight: take the completions on this thread, as a waiting caller does
                disk.awaitCompletions(bufferFree, WAIT_SECONDS, TimeUnit.SECONDS);
            }
            int slot = buffers.acquire();
            long block = pattern.random ? random.nextLong(blocks) : next++ % blocks;
            ByteBuffer buffer = buffers.buffer(slot, blockBytes);
            recorder.submittedAt[slot] = System.nanoTime();
            if (pattern.write) {
                requests[slot].write(block * sectors, buffer, false);
            } else {
                requests[slot].read(block * sectors, buffer);
            }
            ios++;
            progress.update(ios, System.nanoTime() - start, duration);
        }
        disk.awaitCompletions(buffers::allFree, WAIT_SECONDS, TimeUnit.SECONDS);
        buffers.awaitAll();
        long finished = System.nanoTime();
        double elapsed = (finished - start) / 1e9;
        IoCosts.PerCommand perCommand = costs == null || ios == 0 ? null : costs.end(ios);
        Throwable error = failure.get();
        if (error != null) {
            throw error instanceof PortException p ? p : new PortException("benchmark request failed: " + error, error);
        }
        synchronized (latency) {
            timeline.finish(finished);
            return new Result(pattern, blockBytes, queueDepth, ios, elapsed, StageStats.of(latency), perCommand,
                    latency, timeline);
        }
    }
}
