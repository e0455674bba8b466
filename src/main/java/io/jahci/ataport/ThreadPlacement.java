package io.jahci.ataport;

import io.jahci.platform.NativeException;
import io.jahci.platform.Scheduling;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Which CPU each kind of thread runs on and whether it runs SCHED_FIFO: the cyclictest-style
 * controls behind the global {@code --pin ROLE=CPU,...} and {@code --rt-priority N}.
 *
 * <p>Each thread applies its own role's settings when it starts ({@link #applyToCurrentThread}):
 * port threads in {@link PortThread#run()}, the benchmark's stimulus and the CLI's caller thread
 * themselves. Every thread that applied (or was registered with no settings) is remembered with
 * its kernel thread id, so {@link #readBack()} can report what the kernel says is in force, not
 * what was asked for.
 */
public final class ThreadPlacement {
    /** The kinds of thread a placement can address. */
    public enum Role {
        /** The benchmark's stimulus thread (bench irq). */
        STIMULUS,
        /** {@code jahci-irq-N}: the interrupt thread, DIRQL while servicing. */
        IRQ,
        /** {@code jahci-dispatch-N}: DISPATCH workers. */
        DISPATCH,
        /** {@code jahci-workitem-N}: PASSIVE Storport work items. */
        WORKITEM,
        /** {@code jahci-timer}: AtaPortRequestTimer timers. */
        TIMER,
        /** The caller's thread (the CLI's main thread). */
        CALLER;

        /** The name on the command line: {@code irq}, {@code dispatch}, ... */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The role named {@code key} on the command line, or null. */
        public static Role of(String key) {
            for (Role r : values()) {
                if (r.key().equals(key)) {
                    return r;
                }
            }
            return null;
        }

        /** Every role's name: {@code stimulus, irq, ...}. */
        public static String keys() {
            StringJoiner j = new StringJoiner(", ");
            for (Role r : values()) {
                j.add(r.key());
            }
            return j.toString();
        }
    }

    /** One thread that applied its role's settings. */
    public record Registered(String name, Role role, int tid) {}

    /** A registered thread with its settings as the kernel reports them (null if it has exited). */
    public record Reading(Registered thread, Scheduling.InForce inForce) {}

    private final Map<Role, Integer> cpus;
    private final int rtPriority;
    private final List<Registered> threads = new CopyOnWriteArrayList<>();

    /**
     * @param cpus       the CPU of each pinned role (roles not in the map keep the process's CPUs)
     * @param rtPriority SCHED_FIFO priority 1..99 for every role's thread, or 0 to leave the policy alone
     */
    public ThreadPlacement(Map<Role, Integer> cpus, int rtPriority) {
        if (rtPriority < 0 || rtPriority > 99) {
            throw new IllegalArgumentException("--rt-priority must be 1..99 (SCHED_FIFO), not " + rtPriority);
        }
        this.cpus = cpus.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(cpus));
        this.rtPriority = rtPriority;
    }

    /** No pinning, no real-time policy: threads are only registered, for the read-back. */
    public static ThreadPlacement none() {
        return new ThreadPlacement(Map.of(), 0);
    }

    /**
     * {@code ROLE=CPU[,ROLE=CPU...]} ({@code --pin}, {@code OpenOptions}) as the CPU of each role. Pure.
     *
     * @throws IllegalArgumentException naming the entry that is not ROLE=CPU, a CPU that is not a number,
     *     or a role given twice
     */
    public static Map<Role, Integer> parsePins(String text) {
        Map<Role, Integer> cpus = new java.util.EnumMap<>(Role.class);
        for (String entry : text.split(",", -1)) {
            String[] kv = entry.trim().split("=", -1);
            Role role = kv.length == 2 ? Role.of(kv[0].trim()) : null;
            if (role == null) {
                throw new IllegalArgumentException("'" + entry + "' is not ROLE=CPU with ROLE one of " + Role.keys());
            }
            int cpu;
            try {
                cpu = Integer.parseInt(kv[1].trim());
            } catch (NumberFormatException e) {
                cpu = -1;
            }
            if (cpu < 0) {
                throw new IllegalArgumentException("'" + kv[1] + "' is not a CPU number");
            }
            if (cpus.put(role, cpu) != null) {
                throw new IllegalArgumentException("role " + role.key() + " given twice");
            }
        }
        return Map.copyOf(cpus);
    }

    /**
     * The placement of {@code cpus} (from {@code --pin ROLE=CPU[,ROLE=CPU...]}) after checking that this
     * process may run on each CPU (sched_getaffinity). PASSIVE, the caller's thread.
     *
     * @throws IllegalArgumentException naming the CPU and those this process may use
     */
    public static ThreadPlacement checked(Map<Role, Integer> cpus, int rtPriority) throws NativeException {
        if (!cpus.isEmpty()) {
            BitSet allowed = Scheduling.affinity(Scheduling.gettid());
            for (Map.Entry<Role, Integer> pin : cpus.entrySet()) {
                int cpu = pin.getValue();
                if (cpu < 0 || !allowed.get(cpu)) {
                    throw new IllegalArgumentException("--pin " + pin.getKey().key() + "=" + cpu + ": CPU " + cpu
                            + " is not one this process may use (" + Scheduling.cpuList(allowed) + ")");
                }
            }
        }
        return new ThreadPlacement(cpus, rtPriority);
    }

    /** The CPU {@code role} is pinned to, or -1. */
    public int cpu(Role role) {
        return cpus.getOrDefault(role, -1);
    }

    /** Whether anything is asked for: a pinned role or a real-time priority. */
    public boolean requestsAnything() {
        return !cpus.isEmpty() || rtPriority > 0;
    }

    /** SCHED_FIFO priority, or 0 for none. */
    public int rtPriority() {
        return rtPriority;
    }

    /**
     * Pins the calling thread to its role's CPU and makes it SCHED_FIFO if asked, then registers it
     * (by name, role and kernel thread id) for {@link #readBack()}. PASSIVE, at thread start.
     *
     * @throws NativeException when the kernel refuses (the thread is registered anyway)
     */
    public void applyToCurrentThread(Role role) throws NativeException {
        int tid = Scheduling.gettid();
        threads.add(new Registered(Thread.currentThread().getName(), role, tid));
        int cpu = cpu(role);
        if (cpu >= 0) {
            BitSet one = new BitSet();
            one.set(cpu);
            Scheduling.setAffinity(tid, one);
        }
        if (rtPriority > 0) {
            Scheduling.setFifo(tid, rtPriority);
        }
    }

    /** Every registered thread, in registration order. */
    public List<Registered> threads() {
        return List.copyOf(threads);
    }

    /** What the kernel reports for each registered thread that still runs; call while they run. */
    public List<Reading> readBack() {
        List<Reading> out = new ArrayList<>();
        for (Registered t : threads) {
            Scheduling.InForce in;
            try {
                in = Scheduling.inForce(t.tid());
            } catch (NativeException e) {
                in = null; // ESRCH: the thread has exited
            }
            out.add(new Reading(t, in));
        }
        return out;
    }

    /** What was asked for, e.g. {@code pin irq=1,dispatch=1; SCHED_FIFO 10}. */
    public String describe() {
        StringJoiner pins = new StringJoiner(",");
        cpus.forEach((role, cpu) -> pins.add(role.key() + "=" + cpu));
        return (cpus.isEmpty() ? "not pinned" : "pin " + pins) + "; "
                + (rtPriority > 0 ? "SCHED_FIFO " + rtPriority : "default policy");
    }
}
