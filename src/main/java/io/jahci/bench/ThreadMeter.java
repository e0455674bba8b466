package io.jahci.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * Bytes allocated and CPU time used by given threads over a window, from
 * {@code com.sun.management.ThreadMXBean} ({@code getThreadAllocatedBytes}, {@code
 * getThreadCpuTime}: the thread's CLOCK_THREAD_CPUTIME_ID, user + system, in ns). {@link #start()}
 * snapshots every live thread (the threads that will run the measured stages are only known
 * afterwards); {@link #bytesSince} and {@link #cpuNanosSince} give the growth of the threads asked
 * about. The snapshots allocate on the calling thread, which is not measured.
 */
final class ThreadMeter {
    private final com.sun.management.ThreadMXBean mx;
    private Map<Long, Long> bytesBefore = Map.of();
    private Map<Long, Long> cpuBefore = Map.of();

    ThreadMeter() {
        mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!mx.isThreadAllocatedMemorySupported() || !mx.isThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot measure per-thread allocation and CPU time (ThreadMXBean)");
        }
        mx.setThreadAllocatedMemoryEnabled(true);
        mx.setThreadCpuTimeEnabled(true);
    }

    void start() {
        long[] ids = mx.getAllThreadIds();
        long[] bytes = mx.getThreadAllocatedBytes(ids);
        Map<Long, Long> b = new HashMap<>();
        Map<Long, Long> c = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            b.put(ids[i], bytes[i]);
            c.put(ids[i], mx.getThreadCpuTime(ids[i]));
        }
        bytesBefore = b;
        cpuBefore = c;
    }

    /**
     * Bytes the calling thread has allocated in its life; read before anything else allocates, it
     * measures a thread that also takes the snapshots. The calling thread.
     */
    long currentThreadAllocatedBytes() {
        return mx.getCurrentThreadAllocatedBytes();
    }

    /** One Java thread's allocated bytes at one moment (or as it ended), with its id and name. */
    record ThreadBytes(long id, String name, long bytes) {}

    /**
     * Every live Java thread's allocated bytes now, by thread id (a thread that ends while it is
     * read is left out). The calling thread, PASSIVE; allocates.
     */
    Map<Long, ThreadBytes> allocatedBytes() {
        long[] ids = mx.getAllThreadIds();
        long[] bytes = mx.getThreadAllocatedBytes(ids);
        java.lang.management.ThreadInfo[] infos = mx.getThreadInfo(ids, 0);
        Map<Long, ThreadBytes> out = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0 && infos[i] != null) {
                out.put(ids[i], new ThreadBytes(ids[i], infos[i].getThreadName(), bytes[i]));
            }
        }
        return out;
    }

    /** The calling thread's allocated bytes now, with its id and name. The calling thread. */
    @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+
    ThreadBytes currentThreadBytes() {
        long bytes = mx.getCurrentThreadAllocatedBytes();
        Thread t = Thread.currentThread();
        return new ThreadBytes(t.getId(), t.getName(), bytes);
    }

    /** Per thread (name: bytes) allocated since {@link #start()}, in the order given. */
    Map<String, Long> bytesSince(List<Thread> threads) {
        return since(threads, bytesBefore, mx::getThreadAllocatedBytes);
    }

    /** Per thread (name: ns of CPU) used since {@link #start()}, in the order given. */
    Map<String, Long> cpuNanosSince(List<Thread> threads) {
        return since(threads, cpuBefore, mx::getThreadCpuTime);
    }

    @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+
    private static Map<String, Long> since(List<Thread> threads, Map<Long, Long> before, LongUnaryOperator now) {
        Map<String, Long> out = new LinkedHashMap<>();
        List<Thread> distinct = new ArrayList<>();
        for (Thread t : threads) {
            if (!distinct.contains(t)) {
                distinct.add(t);
            }
        }
        for (Thread t : distinct) {
            Long start = before.get(t.getId());
            long value = now.applyAsLong(t.getId());
            if (start == null || value < 0) {
                throw new IllegalStateException("no snapshot for thread " + t.getName() + " (has it exited?)");
            }
            out.put(t.getName(), value - start);
        }
        return out;
    }
}
