package io.jahci.testing;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Stops a process (SIGSTOP) and lets it continue (SIGCONT), for tests that make QEMU stop
 * answering: {@code try (Stall s = Stall.of(qemu.qemuPid())) { ... }} continues it whatever happens.
 */
public final class Stall implements AutoCloseable {
    private final long pid;
    private boolean stopped;

    private Stall(long pid) {
        this.pid = pid;
    }

    /** Stops {@code pid} now. */
    public static Stall of(long pid) throws IOException, InterruptedException {
        Stall s = new Stall(pid);
        signal(pid, "-STOP");
        s.stopped = true;
        return s;
    }

    /** Lets the process continue (once; closing again does nothing). */
    @Override
    public void close() throws IOException, InterruptedException {
        if (stopped) {
            stopped = false;
            signal(pid, "-CONT");
        }
    }

    /**
     * Returns once {@code thread} is seen parked inside {@code frame} (a "Class.method" of its stack): a
     * register access waiting for QEMU's reply, say. This is how a test shows that something waits
     * while QEMU is stopped, by observing the wait instead of sleeping; fails after {@code seconds}.
     */
    public static void awaitParkedIn(Thread thread, String frame, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!parkedIn(thread, frame)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(thread.getName() + " was not seen waiting in " + frame + " within " + seconds
                        + " s; state " + thread.getState());
            }
            Thread.sleep(5);
        }
    }

    private static boolean parkedIn(Thread thread, String frame) {
        Thread.State state = thread.getState();
        if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
            return false;
        }
        for (StackTraceElement e : thread.getStackTrace()) {
            String name = e.getClassName();
            if ((name.substring(name.lastIndexOf('.') + 1) + "." + e.getMethodName()).equals(frame)) {
                return true;
            }
        }
        return false;
    }

    private static void signal(long pid, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(pid)).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill " + signal + " " + pid + " failed (is the process still there?)");
        }
    }
}
