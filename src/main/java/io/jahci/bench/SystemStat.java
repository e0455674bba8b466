package io.jahci.bench;

import io.jahci.platform.Json;
import io.jahci.platform.LibC;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the whole machine did over a window, from {@code /proc/stat} (proc(5)): context switches
 * ({@code ctxt}), interrupts ({@code intr}, its first field: all of them, the timer's included) and
 * CPU time of every CPU by kind ({@code cpu} line, in clock ticks of {@code sysconf(_SC_CLK_TCK)}).
 * Unlike {@link TaskStats}, which counts jahci's own threads, this counts the kernel's work on their
 * behalf too (the interrupt handler, the wake-ups, the system calls' CPU) and whatever else ran: it
 * is the measure that compares jahci with a kernel driver run under the same load (an fio job
 * sampled over the same kind of window), on a machine that runs nothing else.
 */
public final class SystemStat {
    private static final Path PROC_STAT = Path.of("/proc/stat");
    private static final int SC_CLK_TCK = 2;

    /**
     * One reading: counters since boot.
     *
     * @param contextSwitches {@code ctxt}
     * @param interrupts      {@code intr}'s total
     * @param userTicks       user + nice
     * @param systemTicks     system
     * @param interruptTicks  irq + softirq
     * @param idleTicks       idle + iowait
     */
    public record Snapshot(long contextSwitches, long interrupts, long userTicks, long systemTicks,
            long interruptTicks, long idleTicks) {}

    /**
     * Per command over a window.
     *
     * @param contextSwitches context switches of the whole machine
     * @param interrupts      interrupts of the whole machine
     * @param userNanos       CPU time in user mode
     * @param systemNanos     CPU time in the kernel, system calls
     * @param interruptNanos  CPU time in the kernel's interrupt and softirq handlers
     * @param idleNanos       CPU time idle (waiting included)
     */
    public record PerCommand(double contextSwitches, double interrupts, double userNanos, double systemNanos,
            double interruptNanos, double idleNanos) {
        /** User, system and interrupt time together: the CPU one command cost the machine. */
        public double busyNanos() {
            return userNanos + systemNanos + interruptNanos;
        }

        /** {@code {"contextSwitches","interrupts","cpuNanos":{"user","system","interrupt","busy","idle"}}}. */
        public Map<String, Object> toJson() {
            Map<String, Object> json = Json.object();
            json.put("contextSwitches", Json.fixed(contextSwitches, 3));
            json.put("interrupts", Json.fixed(interrupts, 3));
            Map<String, Object> cpu = Json.object();
            cpu.put("user", Json.fixed(userNanos, 0));
            cpu.put("system", Json.fixed(systemNanos, 0));
            cpu.put("interrupt", Json.fixed(interruptNanos, 0));
            cpu.put("busy", Json.fixed(busyNanos(), 0));
            cpu.put("idle", Json.fixed(idleNanos, 0));
            json.put("cpuNanos", cpu);
            return json;
        }
    }

    private SystemStat() {}

    /** Reads /proc/stat now. Any thread, PASSIVE; allocates. */
    public static Snapshot snapshot() throws IOException {
        return parse(Files.readString(PROC_STAT));
    }

    /** Parses /proc/stat's text (proc(5)). Pure. */
    static Snapshot parse(String text) {
        long ctxt = -1;
        long intr = -1;
        long[] cpu = null;
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            switch (f[0]) {
                case "cpu" -> {
                    cpu = new long[10];
                    for (int i = 1; i < f.length && i <= cpu.length; i++) {
                        cpu[i - 1] = Long.parseLong(f[i]);
                    }
                }
                case "ctxt" -> ctxt = Long.parseLong(f[1]);
                case "intr" -> intr = Long.parseLong(f[1]);
                default -> { }
            }
        }
        if (cpu == null || ctxt < 0 || intr < 0) {
            throw new IllegalStateException("/proc/stat has no cpu, ctxt or intr line (proc(5))");
        }
        // user nice system idle iowait irq softirq steal guest guest_nice; guest time is inside user
        return new Snapshot(ctxt, intr, cpu[0] + cpu[1], cpu[2], cpu[5] + cpu[6], cpu[3] + cpu[4]);
    }

    /** Nanoseconds per clock tick of /proc/stat's CPU times. */
    static long nanosPerTick() {
        long hz = LibC.sysconf(SC_CLK_TCK);
        if (hz <= 0) {
            throw new IllegalStateException("sysconf(_SC_CLK_TCK) returned " + hz);
        }
        return 1_000_000_000L / hz;
    }

    /** What happened between {@code before} and {@code after}, per each of {@code commands}. Pure but for the tick. */
    public static PerCommand perCommand(Snapshot before, Snapshot after, long commands) {
        double n = commands;
        double tick = nanosPerTick();
        return new PerCommand((after.contextSwitches() - before.contextSwitches()) / n,
                (after.interrupts() - before.interrupts()) / n,
                (after.userTicks() - before.userTicks()) * tick / n,
                (after.systemTicks() - before.systemTicks()) * tick / n,
                (after.interruptTicks() - before.interruptTicks()) * tick / n,
                (after.idleTicks() - before.idleTicks()) * tick / n);
    }
}
