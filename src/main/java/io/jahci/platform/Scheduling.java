package io.jahci.platform;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import java.util.BitSet;

/**
 * Where a thread runs and how it is scheduled: CPU affinity (sched_setaffinity/sched_getaffinity),
 * SCHED_FIFO (sched_setscheduler/sched_getscheduler/sched_getparam), locked memory (mlockall), and
 * the kernel's id of the calling thread (gettid, through syscall(2) so older glibc works too).
 * Every call takes a thread id ({@link #gettid()}), never 0, so a report can read back any thread.
 * Direct-mapped, like {@link LibC}; none of these calls is on a hot path.
 */
public final class Scheduling {
    public static final int SCHED_OTHER = 0;
    public static final int SCHED_FIFO = 1;
    public static final int SCHED_RR = 2;
    public static final int SCHED_BATCH = 3;
    public static final int SCHED_IDLE = 5;
    private static final int MCL_CURRENT = 1;
    private static final int MCL_FUTURE = 2;
    /** cpu_set_t of 1024 CPUs, glibc's default size. */
    private static final int CPU_SET_BYTES = 128;
    private static final long SYS_GETTID = isX86_64() ? 186 : 178; // x86_64 : aarch64 (asm-generic)

    static {
        Native.register(Scheduling.class, "c");
    }

    /**
     * A thread's scheduling as the kernel reports it.
     *
     * @param tid      the kernel's thread id
     * @param policy   the policy's name: SCHED_OTHER, SCHED_FIFO, ...
     * @param priority the static (real-time) priority: 0 for SCHED_OTHER
     * @param cpus     the CPUs it may run on
     */
    public record InForce(int tid, String policy, int priority, BitSet cpus) {
        /** The CPUs as the kernel's list format prints them ({@code 0-1,3}). */
        public String cpuList() {
            return Scheduling.cpuList(cpus);
        }
    }

    private Scheduling() {}

    private static native int sched_setaffinity(int pid, long size, byte[] mask) throws LastErrorException;

    private static native int sched_getaffinity(int pid, long size, byte[] mask) throws LastErrorException;

    private static native int sched_setscheduler(int pid, int policy, int[] param) throws LastErrorException;

    private static native int sched_getscheduler(int pid) throws LastErrorException;

    private static native int sched_getparam(int pid, int[] param) throws LastErrorException;

    private static native int mlockall(int flags) throws LastErrorException;

    private static native long syscall(long number);

    /** The calling thread's kernel id (what /proc/PID/task/TID shows). */
    public static int gettid() {
        return (int) syscall(SYS_GETTID);
    }

    /** Restricts thread {@code tid} to {@code cpus}. */
    public static void setAffinity(int tid, BitSet cpus) throws NativeException {
        byte[] mask = new byte[CPU_SET_BYTES];
        for (int cpu = cpus.nextSetBit(0); cpu >= 0; cpu = cpus.nextSetBit(cpu + 1)) {
            if (cpu >= CPU_SET_BYTES * 8) {
                throw new NativeException("sched_setaffinity(thread " + tid + ", CPU " + cpu + ")", Errno.EINVAL);
            }
            mask[cpu / 8] |= (byte) (1 << (cpu % 8));
        }
        try {
            sched_setaffinity(tid, CPU_SET_BYTES, mask);
        } catch (LastErrorException e) {
            throw new NativeException("sched_setaffinity(thread " + tid + ", CPUs " + cpuList(cpus) + ")",
                    e.getErrorCode());
        }
    }

    /** The CPUs thread (or process) {@code tid} may run on. */
    public static BitSet affinity(int tid) throws NativeException {
        byte[] mask = new byte[CPU_SET_BYTES];
        try {
            sched_getaffinity(tid, CPU_SET_BYTES, mask);
        } catch (LastErrorException e) {
            throw new NativeException("sched_getaffinity(thread " + tid + ")", e.getErrorCode());
        }
        return BitSet.valueOf(mask);
    }

    /**
     * Makes thread {@code tid} SCHED_FIFO at {@code priority} (1..99). Without CAP_SYS_NICE and
     * with an RLIMIT_RTPRIO below {@code priority} the kernel refuses with EPERM; the message
     * then says how to get the privilege.
     */
    public static void setFifo(int tid, int priority) throws NativeException {
        try {
            sched_setscheduler(tid, SCHED_FIFO, new int[] {priority});
        } catch (LastErrorException e) {
            String what = "sched_setscheduler(thread " + tid + ", SCHED_FIFO, priority " + priority + ")";
            if (e.getErrorCode() == Errno.EPERM) {
                what += ": real-time scheduling needs CAP_SYS_NICE (run as root, or `setcap cap_sys_nice+ep` "
                        + "on the java binary) or a real-time priority limit of at least " + priority
                        + " (`ulimit -r " + priority + "`, or rtprio in /etc/security/limits.conf)";
            }
            throw new NativeException(what, e.getErrorCode());
        }
    }

    /** Thread {@code tid}'s policy, static priority and CPUs, read back from the kernel. */
    public static InForce inForce(int tid) throws NativeException {
        int policy;
        int[] param = new int[1];
        try {
            policy = sched_getscheduler(tid);
            sched_getparam(tid, param);
        } catch (LastErrorException e) {
            throw new NativeException("sched_getscheduler(thread " + tid + ")", e.getErrorCode());
        }
        return new InForce(tid, policyName(policy), param[0], affinity(tid));
    }

    /**
     * Locks every current and future page of the process in RAM (mlockall(MCL_CURRENT |
     * MCL_FUTURE)), so no page fault on a port thread waits for the disk.
     */
    public static void mlockall() throws NativeException {
        try {
            mlockall(MCL_CURRENT | MCL_FUTURE);
        } catch (LastErrorException e) {
            throw new NativeException("mlockall(MCL_CURRENT|MCL_FUTURE; needs CAP_IPC_LOCK or a locked-memory "
                    + "limit above the JVM's size: run as root or raise it with `ulimit -l unlimited`)",
                    e.getErrorCode());
        }
    }

    /** The name of a scheduling policy number (sched.h). */
    public static String policyName(int policy) {
        switch (policy & ~0x40000000) { // SCHED_RESET_ON_FORK
            case SCHED_OTHER: return "SCHED_OTHER";
            case SCHED_FIFO: return "SCHED_FIFO";
            case SCHED_RR: return "SCHED_RR";
            case SCHED_BATCH: return "SCHED_BATCH";
            case SCHED_IDLE: return "SCHED_IDLE";
            case 6: return "SCHED_DEADLINE";
            default: return "policy " + policy;
        }
    }

    /** {@code cpus} in the kernel's list format: {@code 0-3,6}. */
    public static String cpuList(BitSet cpus) {
        StringBuilder b = new StringBuilder();
        for (int from = cpus.nextSetBit(0); from >= 0; from = cpus.nextSetBit(from + 1)) {
            int to = cpus.nextClearBit(from) - 1;
            b.append(b.length() == 0 ? "" : ",").append(from);
            if (to > from) {
                b.append('-').append(to);
            }
            from = to;
        }
        return b.toString();
    }

    private static boolean isX86_64() {
        String arch = System.getProperty("os.arch");
        return "amd64".equals(arch) || "x86_64".equals(arch);
    }
}
