package io.jahci.bench;

import io.jahci.bench.TaskStats.Role;
import io.jahci.bench.ThreadMeter.ThreadBytes;
import io.jahci.platform.Json;
import io.jahci.hw.RegisterCounts;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What each command (or NBD request) of a window cost, in counts that do not depend on how fast the
 * machine or the emulator runs: thread switches and CPU time per thread role ({@link TaskStats}),
 * interrupts serviced, register accesses ({@link RegisterCounts}), bytes allocated
 * ({@link ThreadMeter}), and what the whole machine did ({@link SystemStat}). Everything is read at the window's edges, {@link #start()}, {@link #end}
 * and {@link #next}, and by a thread as it ends ({@link #threadEnding()}), never per command:
 * nothing is added to the I/O path.
 *
 * <p>{@code bench io} ({@link #IoCosts(RegisterCounts, LongSupplier)}): the thread that takes the
 * edges submits the commands, role {@code submitter}; its bytes are read last at the start and
 * first at the end, so the edges' allocation is not counted. {@code jahci serve}
 * ({@link #forServer}): the server's threads ({@code nbd}) submit, and the edges are taken on
 * another thread (role {@code other}), one window after the other ({@link #next}). A thread that
 * ends inside a window (an NBD client's loop) leaves its counts with
 * {@link #threadEnding()}, so the window still counts them.
 *
 * <p>The edges run on one thread at a time (PASSIVE) and allocate; their own reads of /proc (tens of
 * small files) are inside the window, a few hundred us of the edge thread's CPU.
 */
public final class IoCosts {
    /** Roles whose switches and allocation {@code bench io} reports. */
    static final List<Role> THREAD_ROLES = List.of(Role.PORT, Role.TRANSPORT, Role.SUBMITTER);
    /** Roles whose switches and allocation {@code jahci serve} reports. */
    static final List<Role> SERVER_ROLES = List.of(Role.PORT, Role.TRANSPORT, Role.NBD);
    /** Roles whose CPU time is reported besides the thread roles. */
    private static final List<Role> BACKGROUND_ROLES = List.of(Role.JIT, Role.GC, Role.OTHER);

    /**
     * The costs per command over one window.
     *
     * @param switchesVoluntary   voluntary thread switches (blocking) per command, by role key (port, transport, submitter or nbd)
     * @param switchesInvoluntary involuntary switches (preempted) per command, by the same roles
     * @param cpuNanos            ns on a CPU per command, by role key (the same roles, then jit, gc, other)
     * @param interrupts          interrupts serviced per command
     * @param registers           register reads and writes per command
     * @param allocatedBytes      bytes allocated per command, by the roles of the switches
     * @param jitCompilationMillis the JIT's compilation time during the window (all of it, not per command), ms
     * @param exitedThreads       threads that exited during the window ({@code comm (tid)}) without leaving their counts: those are missing
     * @param system              what the whole machine did per command ({@link SystemStat})
     */
    public record PerCommand(Map<String, Double> switchesVoluntary, Map<String, Double> switchesInvoluntary,
            Map<String, Double> cpuNanos, double interrupts, RegisterCounts.PerCommand registers,
            Map<String, Double> allocatedBytes, long jitCompilationMillis, List<String> exitedThreads,
            SystemStat.PerCommand system) {
        /**
         * {@code {"switchesVoluntary":{"port","transport","submitter"},"switchesInvoluntary":{...},
         * "cpuNanos":{"port","transport","submitter","jit","gc","other"},"interrupts":N,
         * "allocatedBytes":{"port","transport","submitter"},"system":{...}}} ({@code nbd} in place of
         * {@code submitter} for a server; {@link SystemStat.PerCommand#toJson()}); the register
         * accesses are the result's own.
         */
        public Map<String, Object> toJson() {
            Map<String, Object> json = Json.object();
            json.put("switchesVoluntary", fixed(switchesVoluntary, 3));
            json.put("switchesInvoluntary", fixed(switchesInvoluntary, 3));
            json.put("cpuNanos", fixed(cpuNanos, 0));
            json.put("interrupts", Json.fixed(interrupts, 3));
            json.put("allocatedBytes", fixed(allocatedBytes, 1));
            json.put("system", system.toJson());
            return json;
        }

        /**
         * Puts {@code "registerReadsPer<per>"}, {@code "registerWritesPer<per>"}, {@code "per<per>"}
         * ({@link #toJson()}), {@code "jitCompilationMillis"} and {@code "exitedThreads"} into
         * {@code json} ({@code per}: {@code "Command"}, {@code "Request"}). With {@code count} 0 (a
         * window without commands) the three per-{@code per} keys are null: there is nothing to divide
         * by, and 0 would claim a cost; the window's own two keys keep their values.
         *
         * @param count the commands (requests) in the window, which the costs were divided by
         */
        public static void putJson(Map<String, Object> json, String per, PerCommand costs, long count) {
            boolean any = count > 0;
            json.put("registerReadsPer" + per, any ? Json.fixed(costs.registers().reads(), 2) : null);
            json.put("registerWritesPer" + per, any ? Json.fixed(costs.registers().writes(), 2) : null);
            json.put("per" + per, any ? costs.toJson() : null);
            json.put("jitCompilationMillis", costs.jitCompilationMillis());
            json.put("exitedThreads", costs.exitedThreads());
        }

        /**
         * The costs as lines of text, each {@code per} what ({@code "command"}, {@code "request"}):
         * register accesses and interrupts, thread switches, CPU time (us), bytes allocated, and the
         * threads whose counts are missing when there are any.
         */
        public List<String> text(String per) {
            List<String> lines = new ArrayList<>();
            lines.add(String.format(Locale.ROOT, "register accesses per %s: %.2f reads, %.2f writes; %.3f interrupts", per,
                    registers.reads(), registers.writes(), interrupts));
            lines.add(String.format(Locale.ROOT, "thread switches per %s: voluntary %s; involuntary %s", per,
                    roles(switchesVoluntary, 1, "%.2f"), roles(switchesInvoluntary, 1, "%.2f")));
            lines.add(String.format(Locale.ROOT, "CPU per %s (us): %s; JIT compiled %d ms in the window", per,
                    roles(cpuNanos, 1e3, "%.1f"), jitCompilationMillis));
            lines.add(String.format(Locale.ROOT, "bytes allocated per %s: %s", per, roles(allocatedBytes, 1, "%.1f")));
            lines.add(String.format(Locale.ROOT, "whole machine per %s: %.2f context switches, %.2f interrupts; CPU (us) "
                    + "user %.1f, system %.1f, interrupt %.1f, idle %.1f", per, system.contextSwitches(), system.interrupts(),
                    system.userNanos() / 1e3, system.systemNanos() / 1e3, system.interruptNanos() / 1e3,
                    system.idleNanos() / 1e3));
            addExitedThreads(lines);
            return lines;
        }

        /**
         * What holds for the window without any command (an interval of {@code serve} without
         * requests): the JIT's compilation time, and the threads whose counts are missing when there are any.
         */
        public List<String> windowText() {
            List<String> lines = new ArrayList<>();
            lines.add(String.format(Locale.ROOT, "JIT compiled %d ms in the window", jitCompilationMillis));
            addExitedThreads(lines);
            return lines;
        }

        private void addExitedThreads(List<String> lines) {
            if (!exitedThreads.isEmpty()) {
                lines.add("threads that exited in the window (not counted): " + String.join(", ", exitedThreads));
            }
        }

        private static Map<String, Object> fixed(Map<String, Double> values, int decimals) {
            Map<String, Object> json = Json.object();
            values.forEach((k, v) -> json.put(k, Json.fixed(v, decimals)));
            return json;
        }

        /** {@code port 1.00, transport 0.50, ...}: each role's value divided by {@code unit}. */
        private static String roles(Map<String, Double> values, double unit, String format) {
            StringJoiner text = new StringJoiner(", ");
            values.forEach((role, v) -> text.add(role + " " + String.format(Locale.ROOT, format, v / unit)));
            return text.toString();
        }
    }

    /**
     * What is read at one edge: every task, every Java thread's bytes, the registers, interrupts, the
     * JIT; and of the threads that left their counts, those no longer running at this edge.
     */
    private record Edge(TaskStats.Snapshot tasks, Map<Long, ThreadBytes> bytes, RegisterCounts.Snapshot registers,
            long interrupts, long compilation, SystemStat.Snapshot system, List<TaskStats.Task> goneTasks,
            List<ThreadBytes> goneBytes) {}

    private final RegisterCounts registers;
    private final LongSupplier interrupts;
    private final List<Role> threadRoles;
    private final ThreadMeter meter = new ThreadMeter();
    private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    /** Threads that ended, as they left their counts ({@link #threadEnding()}), until an edge took them in. */
    private final Map<Integer, TaskStats.Task> endedTasks = new ConcurrentHashMap<>();
    private final Map<Long, ThreadBytes> endedBytes = new ConcurrentHashMap<>();
    private Edge before;
    private int submitterTid = -1;
    private long submitterBytesBefore;

    /**
     * The costs of {@code bench io}'s commands, counted from {@code registers} (the controller opened
     * with them) and {@code interrupts} (e.g. {@code controller::interruptsServiced}); the thread
     * that calls {@link #start()} and {@link #end} submits them.
     */
    public IoCosts(RegisterCounts registers, LongSupplier interrupts) {
        this(registers, interrupts, THREAD_ROLES);
    }

    private IoCosts(RegisterCounts registers, LongSupplier interrupts, List<Role> threadRoles) {
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            throw new IllegalStateException("this JVM does not report its JIT compilation time (CompilationMXBean)");
        }
        this.registers = registers;
        this.interrupts = interrupts;
        this.threadRoles = threadRoles;
    }

    /**
     * The costs of an NBD server's requests: switches and bytes of the port's, the transport's and
     * the server's threads ({@code nbd}); the edges are taken on a thread of none of these roles.
     */
    public static IoCosts forServer(RegisterCounts registers, LongSupplier interrupts) {
        return new IoCosts(registers, interrupts, SERVER_ROLES);
    }

    /** The window starts now. The edge thread (for {@code bench io} the submitting one), PASSIVE; allocates. */
    public void start() throws IOException {
        if (threadRoles.contains(Role.SUBMITTER)) {
            submitterTid = TaskStats.currentTid();
        }
        before = edge();
        submitterBytesBefore = meter.currentThreadAllocatedBytes();
    }

    /**
     * The window ends now, after {@code commands} commands; the same thread as {@link #start()},
     * PASSIVE; allocates.
     */
    public PerCommand end(long commands) throws IOException {
        long submitterBytes = meter.currentThreadAllocatedBytes() - submitterBytesBefore;
        Edge after = edge();
        PerCommand perCommand = between(before, after, commands, submitterBytes);
        before = withoutEnded(after);
        return perCommand;
    }

    /**
     * The window ends now, after {@code commands} commands, and the next one starts at the same
     * edge, so consecutive windows cover all the time between them. The edge thread, PASSIVE;
     * allocates.
     */
    public PerCommand next(long commands) throws IOException {
        PerCommand perCommand = end(commands);
        submitterBytesBefore = meter.currentThreadAllocatedBytes();
        return perCommand;
    }

    /**
     * The calling thread is about to end: its switches, CPU time and bytes as they are now are kept
     * for the next edge, which counts them in the window the thread ended in. Call it as the thread's
     * last act; what the thread does after it is not counted. Any thread at PASSIVE (never on the
     * request path); allocates and reads /proc.
     */
    public void threadEnding() {
        ThreadBytes bytes = meter.currentThreadBytes();
        try {
            TaskStats.Task task = TaskStats.self();
            endedTasks.put(task.tid(), task);
            endedBytes.put(bytes.id(), bytes);
        } catch (IOException e) {
            // /proc unreadable: the edges fail on it with their own message; this thread's counts
            // go missing and the next edge names it among the exited threads
        }
    }

    /**
     * Every counter now; threads that ended since the last edge enter with the counts they left, in
     * place of what /proc and the JVM still showed of them. The edge thread.
     */
    private Edge edge() throws IOException {
        SystemStat.Snapshot system = SystemStat.snapshot();
        Map<Long, ThreadBytes> bytes = meter.allocatedBytes();
        TaskStats.Snapshot tasks = TaskStats.snapshot();
        long compilation = jit.getTotalCompilationTime();
        RegisterCounts.Snapshot regs = registers.snapshot();
        long interrupted = interrupts.getAsLong();
        List<TaskStats.Task> endedNow = List.copyOf(endedTasks.values());
        List<ThreadBytes> bytesNow = List.copyOf(endedBytes.values());
        List<TaskStats.Task> goneTasks = endedNow.stream().filter(t -> !tasks.tasks().containsKey(t.tid())).toList();
        List<ThreadBytes> goneBytes = bytesNow.stream().filter(b -> !bytes.containsKey(b.id())).toList();
        for (ThreadBytes b : bytesNow) {
            bytes.put(b.id(), b);
        }
        return new Edge(tasks.with(endedNow), bytes, regs, interrupted, compilation, system, goneTasks, goneBytes);
    }

    private PerCommand between(Edge from, Edge to, long commands, long submitterBytes) {
        long interrupted = to.interrupts() - from.interrupts();
        RegisterCounts.PerCommand registered = to.registers().perCommandSince(from.registers(), commands);
        long compiled = to.compilation() - from.compilation();
        TaskStats.Delta tasks = TaskStats.between(from.tasks(), to.tasks(),
                submitterTid < 0 ? Set.of() : Set.of(submitterTid));
        Map<String, Double> voluntary = new LinkedHashMap<>();
        Map<String, Double> involuntary = new LinkedHashMap<>();
        Map<String, Double> cpu = new LinkedHashMap<>();
        Map<String, Double> allocated = new LinkedHashMap<>();
        Map<Role, Long> bytes = bytesByRole(from.bytes(), to.bytes());
        for (Role r : threadRoles) {
            voluntary.put(r.key(), (double) tasks.of(r).voluntary() / commands);
            involuntary.put(r.key(), (double) tasks.of(r).involuntary() / commands);
            cpu.put(r.key(), (double) tasks.of(r).cpuNanos() / commands);
            allocated.put(r.key(), (double) (r == Role.SUBMITTER ? submitterBytes : bytes.get(r)) / commands);
        }
        for (Role r : BACKGROUND_ROLES) {
            cpu.put(r.key(), (double) tasks.of(r).cpuNanos() / commands);
        }
        return new PerCommand(voluntary, involuntary, cpu, (double) interrupted / commands, registered, allocated,
                compiled, tasks.exited(), SystemStat.perCommand(from.system(), to.system(), commands));
    }

    /**
     * Bytes the Java threads of each role (by name; the edge thread excluded, its own are read
     * apart) allocated from {@code from} to {@code to}: a thread that started in between counts
     * whole, one that ended counts up to the end it left ({@link #threadEnding()}).
     */
    @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+
    private static Map<Role, Long> bytesByRole(Map<Long, ThreadBytes> from, Map<Long, ThreadBytes> to) {
        Map<Role, Long> sums = new EnumMap<>(Role.class);
        for (Role r : Role.values()) {
            sums.put(r, 0L);
        }
        long self = Thread.currentThread().getId();
        for (ThreadBytes now : to.values()) {
            if (now.id() == self) {
                continue;
            }
            ThreadBytes then = from.get(now.id());
            Role r = TaskStats.role(now.name());
            sums.put(r, sums.get(r) + now.bytes() - (then == null ? 0 : then.bytes()));
        }
        return sums;
    }

    /**
     * Edge {@code to} as the next window starts from: a thread that ended and no longer ran at
     * {@code to} is counted in full now, so it leaves the store and the edge (neither edge of the next
     * window names it); one still running there stays until an edge finds it gone.
     */
    private Edge withoutEnded(Edge to) {
        Map<Integer, TaskStats.Task> tasks = new HashMap<>(to.tasks().tasks());
        for (TaskStats.Task t : to.goneTasks()) {
            if (endedTasks.remove(t.tid(), t)) {
                tasks.remove(t.tid());
            }
        }
        Map<Long, ThreadBytes> bytes = new HashMap<>(to.bytes());
        for (ThreadBytes b : to.goneBytes()) {
            if (endedBytes.remove(b.id(), b)) {
                bytes.remove(b.id());
            }
        }
        return new Edge(new TaskStats.Snapshot(tasks), bytes, to.registers(), to.interrupts(), to.compilation(),
                to.system(), List.of(), List.of());
    }
}
