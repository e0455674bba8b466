package io.jahci.bench;

import io.jahci.ataport.ThreadPlacement;
import io.jahci.platform.Scheduling;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One thread of a {@code bench irq} run as the kernel reported it while the run was still going
 * (sched_getscheduler, sched_getparam and sched_getaffinity of its tid), with the CPU time it used
 * over the measured events.
 *
 * @param name     the thread's name (Java) or role (C)
 * @param role     the {@code --pin} role it takes its settings from
 * @param tid      the kernel's thread id
 * @param policy   SCHED_OTHER, SCHED_FIFO, ... or "exited" when it was gone before the read-back
 * @param priority the static (real-time) priority
 * @param cpus     the CPUs it may run on, in list format
 * @param cpuNanos CPU time (user + system) over the measured events, or -1 when not measured
 */
public record BenchThread(String name, String role, int tid, String policy, int priority, String cpus, long cpuNanos) {
    /** Whether this thread is one of the pipeline's port threads (interrupt, dispatch, work item). */
    public boolean portThread() {
        return role.equals("irq") || role.equals("dispatch") || role.equals("workitem");
    }

    /** The Java side: the placement's read-back, with the CPU time of the threads that were measured. */
    static List<BenchThread> of(List<ThreadPlacement.Reading> readings, Map<String, Long> cpuNanosByName) {
        List<BenchThread> out = new ArrayList<>();
        for (ThreadPlacement.Reading r : readings) {
            ThreadPlacement.Registered t = r.thread();
            Scheduling.InForce in = r.inForce();
            out.add(new BenchThread(t.name(), t.role().key(), t.tid(), in == null ? "exited" : in.policy(),
                    in == null ? 0 : in.priority(), in == null ? "" : in.cpuList(),
                    cpuNanosByName.getOrDefault(t.name(), -1L)));
        }
        return out;
    }

    /** Parses the C baseline's {@code thread ROLE tid=N policy=P priority=N cpus=LIST cpu_ns=N} line. */
    static BenchThread parseC(String line) {
        String[] f = line.trim().split(" ");
        if (f.length != 7 || !f[0].equals("thread")) {
            throw new IllegalArgumentException("not a thread line of irqbench: " + line);
        }
        return new BenchThread(f[1], f[1], Integer.parseInt(value(f[2], "tid")), value(f[3], "policy"),
                Integer.parseInt(value(f[4], "priority")), value(f[5], "cpus"), Long.parseLong(value(f[6], "cpu_ns")));
    }

    private static String value(String field, String key) {
        if (!field.startsWith(key + "=")) {
            throw new IllegalArgumentException("irqbench thread line: expected " + key + "=..., got " + field);
        }
        return field.substring(key.length() + 1);
    }

    /** CPU ns per event of the port threads together. */
    static double portCpuNanosPerEvent(List<BenchThread> threads, long events) {
        long sum = 0;
        for (BenchThread t : threads) {
            if (t.portThread() && t.cpuNanos() > 0) {
                sum += t.cpuNanos();
            }
        }
        return events == 0 ? 0 : (double) sum / events;
    }
}
