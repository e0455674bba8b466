package io.jahci.bench;

import io.jahci.bench.TaskStats.Role;
import io.jahci.platform.Json;
import io.jahci.hw.RegisterCounts;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * What each command of a {@code bench io} window cost, in counts that do not depend on how fast the
 * machine or the emulator runs: thread switches and CPU time per thread role ({@link TaskStats}),
 * interrupts serviced, register accesses ({@link RegisterCounts}), bytes allocated
 * ({@link ThreadMeter}), and what the whole machine did ({@link SystemStat}). Everything is read at the window's two edges, {@link #start()} and
 * {@link #end}, never per command: nothing is added to the I/O path.
 *
 * <p>Both edges run on the submitting thread (PASSIVE) and allocate; their own reads of /proc (tens
 * of small files) are inside the window, a few hundred us of the submitter's CPU over the whole
 * window. The submitter's bytes are read last at the start and first at the end, so the edges'
 * allocation is not counted.
 */
public final class IoCosts {
    /** Roles whose switches and allocation are reported. */
    static final List<Role> THREAD_ROLES = List.of(Role.PORT, Role.TRANSPORT, Role.SUBMITTER);

    /**
     * The costs per command over one window.
     *
     * @param switchesVoluntary   voluntary thread switches (blocking) per command, by role key (port, transport, submitter)
     * @param switchesInvoluntary involuntary switches (preempted) per command, by the same roles
     * @param cpuNanos            ns on a CPU per command, by role key (port, transport, submitter, jit, gc, other)
     * @param interrupts          interrupts serviced per command
     * @param registers           register reads and writes per command
     * @param allocatedBytes      bytes allocated per command, by role key (port, transport, submitter)
     * @param jitCompilationMillis the JIT's compilation time during the window (all of it, not per command), ms
     * @param exitedThreads       threads that exited during the window ({@code comm (tid)}): their counts are missing
     * @param system              what the whole machine did per command ({@link SystemStat})
     */
    public record PerCommand(Map<String, Double> switchesVoluntary, Map<String, Double> switchesInvoluntary,
            Map<String, Double> cpuNanos, double interrupts, RegisterCounts.PerCommand registers,
            Map<String, Double> allocatedBytes, long jitCompilationMillis, List<String> exitedThreads,
            SystemStat.PerCommand system) {
        /**
         * {@code {"switchesVoluntary":{"port","transport","submitter"},"switchesInvoluntary":{...},
         * "cpuNanos":{"port","transport","submitter","jit","gc","other"},"interrupts":N,
         * "allocatedBytes":{"port","transport","submitter"},"system":{...}}} ({@link SystemStat.PerCommand#toJson()});
         * the register accesses are the result's
         * own {@code registerReadsPerCommand}/{@code registerWritesPerCommand}.
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

        private static Map<String, Object> fixed(Map<String, Double> values, int decimals) {
            Map<String, Object> json = Json.object();
            values.forEach((k, v) -> json.put(k, Json.fixed(v, decimals)));
            return json;
        }
    }

    private final RegisterCounts registers;
    private final LongSupplier interrupts;
    private final ThreadMeter meter = new ThreadMeter();
    private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    private List<Thread> threadsBefore;
    private int submitterTid;
    private TaskStats.Snapshot tasksBefore;
    private RegisterCounts.Snapshot registersBefore;
    private long interruptsBefore;
    private long compilationBefore;
    private long submitterBytesBefore;
    private SystemStat.Snapshot systemBefore;

    /**
     * Costs counted from {@code registers} (the controller opened with them) and {@code interrupts}
     * (e.g. {@code controller::interruptsServiced}).
     */
    public IoCosts(RegisterCounts registers, LongSupplier interrupts) {
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            throw new IllegalStateException("this JVM does not report its JIT compilation time (CompilationMXBean)");
        }
        this.registers = registers;
        this.interrupts = interrupts;
    }

    /** The window starts now. The submitting thread, PASSIVE; allocates. */
    public void start() throws IOException {
        submitterTid = TaskStats.currentTid();
        systemBefore = SystemStat.snapshot();
        threadsBefore = List.copyOf(Thread.getAllStackTraces().keySet());
        meter.start();
        tasksBefore = TaskStats.snapshot();
        compilationBefore = jit.getTotalCompilationTime();
        registersBefore = registers.snapshot();
        interruptsBefore = interrupts.getAsLong();
        submitterBytesBefore = meter.currentThreadAllocatedBytes();
    }

    /**
     * The window ends now, after {@code commands} commands; the same thread as {@link #start()},
     * PASSIVE; allocates.
     */
    public PerCommand end(long commands) throws IOException {
        long submitterBytes = meter.currentThreadAllocatedBytes() - submitterBytesBefore;
        SystemStat.Snapshot systemAfter = SystemStat.snapshot();
        long interrupted = interrupts.getAsLong() - interruptsBefore;
        RegisterCounts.PerCommand registered = registers.snapshot().perCommandSince(registersBefore, commands);
        long compiled = jit.getTotalCompilationTime() - compilationBefore;
        TaskStats.Delta tasks = TaskStats.between(tasksBefore, TaskStats.snapshot(), Set.of(submitterTid));
        Map<String, Double> voluntary = new LinkedHashMap<>();
        Map<String, Double> involuntary = new LinkedHashMap<>();
        for (Role r : THREAD_ROLES) {
            voluntary.put(r.key(), (double) tasks.of(r).voluntary() / commands);
            involuntary.put(r.key(), (double) tasks.of(r).involuntary() / commands);
        }
        Map<String, Double> cpu = new LinkedHashMap<>();
        for (Role r : Role.values()) {
            cpu.put(r.key(), (double) tasks.of(r).cpuNanos() / commands);
        }
        Map<String, Double> allocated = new LinkedHashMap<>();
        allocated.put(Role.PORT.key(), (double) bytesSince(Role.PORT) / commands);
        allocated.put(Role.TRANSPORT.key(), (double) bytesSince(Role.TRANSPORT) / commands);
        allocated.put(Role.SUBMITTER.key(), (double) submitterBytes / commands);
        return new PerCommand(voluntary, involuntary, cpu, (double) interrupted / commands, registered, allocated,
                compiled, tasks.exited(), SystemStat.perCommand(systemBefore, systemAfter, commands));
    }

    /**
     * Bytes the Java threads of {@code role} (by name; the submitter excluded) that lived through
     * the whole window allocated in it. A thread that started or ended inside the window is not
     * counted: the port's and the transport's threads live as long as the controller.
     */
    private long bytesSince(Role role) {
        List<Thread> threads = new ArrayList<>();
        for (Thread t : threadsBefore) {
            if (t.isAlive() && t != Thread.currentThread() && TaskStats.role(t.getName()) == role) {
                threads.add(t);
            }
        }
        long sum = 0;
        for (long b : meter.bytesSince(threads).values()) {
            sum += b;
        }
        return sum;
    }
}
