package io.jahci.testing;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bytes allocated by named threads (HotSpot's per-thread allocation counter), for the tests that
 * show a hot path allocates nothing in steady state.
 */
public final class ThreadAllocation {
    private ThreadAllocation() {}

    /**
     * Names and ids of the live threads whose names start with one of {@code prefixes}, found
     * without walking any stack (ThreadInfo of depth 0): a stack walk of another thread is charged
     * to that thread as allocation.
     */
    public static Map<Long, String> threadsNamed(String... prefixes) {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<Long, String> out = new LinkedHashMap<>();
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds(), 0)) {
            if (info == null) {
                continue;
            }
            for (String prefix : prefixes) {
                if (info.getThreadName().startsWith(prefix)) {
                    out.put(info.getThreadId(), info.getThreadName());
                }
            }
        }
        return out;
    }

    /** The bytes each thread has allocated so far, in the order given. */
    public static long[] allocated(List<Long> threads) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        mx.setThreadAllocatedMemoryEnabled(true);
        long[] out = new long[threads.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = mx.getThreadAllocatedBytes(threads.get(i));
        }
        return out;
    }

    /** The ids of {@link #threadsNamed}, as a list for {@link #allocated}. */
    public static List<Long> ids(Map<Long, String> threads) {
        return new ArrayList<>(threads.keySet());
    }
}
