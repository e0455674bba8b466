package io.jahci.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Thread switches and CPU time of every thread of this process, as the kernel counts them, read
 * from {@code /proc/self/task/<tid>/}: {@code status} ({@code voluntary_ctxt_switches},
 * {@code nonvoluntary_ctxt_switches}), {@code schedstat} (first field: ns on a CPU) and {@code comm}
 * (the name, which HotSpot on Linux sets from the Java thread's name, cut to 15 bytes:
 * {@code jahci-dispatch-0} reads {@code jahci-dispatch-}). A {@link Snapshot} holds all tasks at one
 * moment; {@link #between} sums the growth per {@link Role}.
 *
 * <p>Roles are told by name prefix, so a name cut to 15 bytes still maps to one role (every
 * {@code jahci-dispatch-N} is a port thread); the submitting threads are told by tid, which wins
 * over the name. The parsing functions are pure. {@link #snapshot()} allocates and does file I/O:
 * call it on a thread outside the hot path, at a window's edges only (PASSIVE).
 */
final class TaskStats {
    static final Path TASKS = Path.of("/proc/self/task");
    static final Path THREAD_SELF = Path.of("/proc/thread-self");

    /** Who a thread works for. */
    enum Role {
        /** The port layer's threads: {@code jahci-irq-N}, {@code jahci-dispatch-N}, {@code jahci-workitem-N}, {@code jahci-timer}, {@code jahci-poll}. */
        PORT,
        /** Every other {@code jahci-} thread: the transport's (qtest reader, VFIO device request), start-up and exit helpers. */
        TRANSPORT,
        /** The NBD server's own threads ({@code jahci-nbd-}): its acceptor and each client's loop. */
        NBD,
        /** The threads that submit the requests, told by tid. */
        SUBMITTER,
        /** HotSpot's JIT compilers ({@code C1 CompilerThre}, {@code C2 CompilerThre}). */
        JIT,
        /** Garbage collection and safepoints: {@code GC Thread#N}, {@code G1 ...}, {@code VM Thread}. */
        GC,
        /** The rest (main, signal dispatcher, reference handler, ...). */
        OTHER;

        /** The JSON key: {@code port}, {@code transport}, ... */
        String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One task's counters at one moment. */
    record Task(int tid, String comm, long voluntary, long involuntary, long cpuNanos) {}

    /** Counters summed over tasks (or their growth over a window). */
    record Counts(long voluntary, long involuntary, long cpuNanos) {
        static final Counts ZERO = new Counts(0, 0, 0);

        Counts plus(long voluntary, long involuntary, long cpuNanos) {
            return new Counts(this.voluntary + voluntary, this.involuntary + involuntary, this.cpuNanos + cpuNanos);
        }
    }

    /** Every task of the process at one moment, by tid. */
    record Snapshot(Map<Integer, Task> tasks) {
        /**
         * This snapshot with {@code ended} (tasks as they were when they ended) in it: an ended task's
         * counts replace what the snapshot read of it while it was still running, so a task's counts
         * never go backwards from one snapshot to the next. Pure.
         */
        Snapshot with(java.util.Collection<Task> ended) {
            Map<Integer, Task> all = new HashMap<>(tasks);
            for (Task t : ended) {
                all.put(t.tid(), t);
            }
            return new Snapshot(all);
        }
    }

    /**
     * The growth per role between two snapshots, every role present (zero when it had no task).
     *
     * @param exited tasks of the first snapshot gone by the second (their growth is not counted), as {@code comm (tid)}
     */
    record Delta(Map<Role, Counts> byRole, List<String> exited) {
        Counts of(Role role) {
            return byRole.get(role);
        }
    }

    private TaskStats() {}

    /** The role of a thread named {@code name} (a Java name, or its {@code comm} cut to 15 bytes). Pure. */
    static Role role(String name) {
        if (name.startsWith("jahci-irq") || name.startsWith("jahci-dispatch") || name.startsWith("jahci-workitem")
                || name.startsWith("jahci-timer") || name.startsWith("jahci-poll")) {
            return Role.PORT;
        }
        if (name.startsWith("jahci-nbd")) {
            return Role.NBD;
        }
        if (name.startsWith("jahci-")) {
            return Role.TRANSPORT;
        }
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            return Role.JIT;
        }
        if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.equals("VM Thread")) {
            return Role.GC;
        }
        return Role.OTHER;
    }

    /** The role of task {@code task}: {@link Role#SUBMITTER} when its tid is one of {@code submitters}. Pure. */
    static Role role(Task task, java.util.Set<Integer> submitters) {
        return submitters.contains(task.tid()) ? Role.SUBMITTER : role(task.comm());
    }

    /**
     * The growth of each role's counters from {@code before} to {@code after}. A task only in
     * {@code after} started in between: all of its counts are growth. A task only in {@code before}
     * exited in between: it is named in {@link Delta#exited}. Pure.
     */
    static Delta between(Snapshot before, Snapshot after, java.util.Set<Integer> submitters) {
        Map<Role, Counts> sums = new EnumMap<>(Role.class);
        for (Role r : Role.values()) {
            sums.put(r, Counts.ZERO);
        }
        for (Task now : after.tasks().values()) {
            Task then = before.tasks().get(now.tid());
            long v = now.voluntary() - (then == null ? 0 : then.voluntary());
            long i = now.involuntary() - (then == null ? 0 : then.involuntary());
            long c = now.cpuNanos() - (then == null ? 0 : then.cpuNanos());
            Role r = role(now, submitters);
            sums.put(r, sums.get(r).plus(v, i, c));
        }
        List<String> exited = new ArrayList<>();
        for (Task then : before.tasks().values()) {
            if (!after.tasks().containsKey(then.tid())) {
                exited.add(then.comm() + " (" + then.tid() + ")");
            }
        }
        return new Delta(sums, exited);
    }

    /**
     * Every task of this process now. A task that exits while it is read is left out (its directory
     * is gone); any other missing file fails with an IOException naming it. PASSIVE; allocates.
     */
    static Snapshot snapshot() throws IOException {
        Map<Integer, Task> tasks = new HashMap<>();
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(TASKS)) {
            list.forEach(dirs::add);
        } catch (NoSuchFileException e) {
            throw new IOException(TASKS + " does not exist: per-thread switches and CPU time need Linux's /proc", e);
        }
        for (Path dir : dirs) {
            Task t = read(Integer.parseInt(dir.getFileName().toString()), dir);
            if (t != null) {
                tasks.put(t.tid(), t);
            }
        }
        return new Snapshot(tasks);
    }

    /**
     * The calling thread's task, read from {@code /proc/thread-self}: what a thread that is about to
     * end leaves to be counted. The calling thread (PASSIVE); allocates and does file I/O.
     */
    static Task self() throws IOException {
        Task t = read(currentTid(), THREAD_SELF);
        if (t == null) {
            throw new IOException(THREAD_SELF + " does not exist (Linux 3.17 or later has it)");
        }
        return t;
    }

    /** Task {@code tid}, read from {@code dir}, or null when it exited while being read. */
    private static Task read(int tid, Path dir) throws IOException {
        Path status = dir.resolve("status");
        Path schedstat = dir.resolve("schedstat");
        Path comm = dir.resolve("comm");
        try {
            long[] switches = parseSwitches(Files.readString(status), status.toString());
            long cpu = parseSchedstat(Files.readString(schedstat), schedstat.toString());
            String name = Files.readString(comm).strip();
            return new Task(tid, name, switches[0], switches[1], cpu);
        } catch (IOException e) {
            if (!Files.exists(dir)) {
                return null;   // the task exited between the listing and the read
            }
            if (e instanceof NoSuchFileException missing) {
                throw new IOException(missing.getFile() + " does not exist: it gives a thread's "
                        + (missing.getFile().endsWith("schedstat") ? "CPU time (a kernel without CONFIG_SCHED_INFO "
                        + "lacks it)" : missing.getFile().endsWith("status") ? "thread switches" : "name"), e);
            }
            throw e;
        }
    }

    /**
     * {@code {voluntary, involuntary}} from the text of a {@code /proc/.../status} file (lines
     * {@code voluntary_ctxt_switches:\tN} and {@code nonvoluntary_ctxt_switches:\tN}). Pure;
     * {@code file} names it in the error when a line is missing.
     */
    static long[] parseSwitches(String status, String file) {
        long voluntary = -1;
        long involuntary = -1;
        for (String line : status.split("\n")) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
                voluntary = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                involuntary = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        if (voluntary < 0 || involuntary < 0) {
            throw new IllegalArgumentException(file + " has no voluntary_ctxt_switches/nonvoluntary_ctxt_switches line");
        }
        return new long[] {voluntary, involuntary};
    }

    /** The ns on a CPU from the text of a {@code /proc/.../schedstat} file ({@code "run wait slices\n"}). Pure. */
    static long parseSchedstat(String schedstat, String file) {
        String[] fields = schedstat.strip().split(" ");
        try {
            return Long.parseLong(fields[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + " does not start with the ns on a CPU: '" + schedstat.strip() + "'", e);
        }
    }

    /** The tid in the target of {@code /proc/thread-self}: {@code "<pid>/task/<tid>"}. Pure. */
    static int parseThreadSelf(String link) {
        int at = link.lastIndexOf("/task/");
        if (at < 0) {
            throw new IllegalArgumentException(THREAD_SELF + " points to '" + link + "', not <pid>/task/<tid>");
        }
        return Integer.parseInt(link.substring(at + "/task/".length()));
    }

    /** The calling thread's tid, from {@code /proc/thread-self}. Any thread; allocates. */
    static int currentTid() throws IOException {
        try {
            return parseThreadSelf(Files.readSymbolicLink(THREAD_SELF).toString());
        } catch (NoSuchFileException e) {
            throw new IOException(THREAD_SELF + " does not exist (Linux 3.17 or later has it)", e);
        }
    }
}
