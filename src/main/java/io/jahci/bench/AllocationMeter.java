package io.jahci.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bytes allocated by given threads over a window, from {@code com.sun.management.ThreadMXBean
 * .getThreadAllocatedBytes}. {@link #start()} snapshots every live thread (the threads that will
 * run the measured stages are only known afterwards); {@link #bytesSince} sums the growth of the
 * threads asked about. The snapshots allocate on the calling thread, which is not measured.
 */
final class AllocationMeter {
    private final com.sun.management.ThreadMXBean mx;
    private Map<Long, Long> before = Map.of();

    AllocationMeter() {
        mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!mx.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("this JVM cannot measure per-thread allocation (ThreadMXBean)");
        }
        mx.setThreadAllocatedMemoryEnabled(true);
    }

    void start() {
        long[] ids = mx.getAllThreadIds();
        long[] bytes = mx.getThreadAllocatedBytes(ids);
        Map<Long, Long> snapshot = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            snapshot.put(ids[i], bytes[i]);
        }
        before = snapshot;
    }

    /** Per thread (name: bytes) allocated since {@link #start()}, in the order given. */
    @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+
    Map<String, Long> bytesSince(List<Thread> threads) {
        Map<String, Long> out = new LinkedHashMap<>();
        List<Thread> distinct = new ArrayList<>();
        for (Thread t : threads) {
            if (!distinct.contains(t)) {
                distinct.add(t);
            }
        }
        for (Thread t : distinct) {
            Long start = before.get(t.getId());
            long now = mx.getThreadAllocatedBytes(t.getId());
            if (start == null || now < 0) {
                throw new IllegalStateException("no allocation snapshot for thread " + t.getName());
            }
            out.put(t.getName(), now - start);
        }
        return out;
    }
}
