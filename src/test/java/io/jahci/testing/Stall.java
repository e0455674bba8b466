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

    private static void signal(long pid, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(pid)).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill " + signal + " " + pid + " failed (is the process still there?)");
        }
    }
}
