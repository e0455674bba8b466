package io.jahci.hw.qemu;

import io.jahci.hw.DeviceLostException;
import io.jahci.platform.LibC;
import io.jahci.platform.UnixSocket;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One paused QEMU q35 machine with an {@code ich9-ahci} on its own slot, reachable over qtest,
 * its guest RAM in a /dev/shm file that this process maps.
 *
 * <p>Leaves nothing behind: the /dev/shm file is unlinked as soon as both sides have it mapped;
 * QEMU is stopped on {@link #close()}, by a shutdown hook on Ctrl-C or normal JVM exit, and, when
 * {@code setpriv} is available, by the kernel (parent-death signal) if the JVM is killed.
 */
final class QemuProcess implements AutoCloseable {
    /** The extra controller's PCI slot on bus 0 (device 5, function 0). */
    static final int AHCI_SLOT = 5;
    private static final long START_TIMEOUT_MILLIS = 30_000;
    private static final int STDERR_KEEP = 16 * 1024;
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Set<QemuProcess> LIVE = ConcurrentHashMap.newKeySet();
    /**
     * QEMU is started from this one long-lived thread: PR_SET_PDEATHSIG fires when the thread
     * that forked the child exits, so it must not be a short-lived caller thread.
     */
    private static final ExecutorService LAUNCHER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jahci-qemu-launcher");
        t.setDaemon(true);
        return t;
    });

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (QemuProcess process : LIVE) {
                process.close();
            }
        }, "jahci-qemu-cleanup"));
    }

    private final QemuConfig config;
    private final String name;
    private final Path shmPath;
    private final Path socketPath;
    private final Path qmpPath;
    private final Process process;
    private final StringBuilder stderr = new StringBuilder();
    private final QtestConnection qtest;
    private volatile boolean closed;

    private QemuProcess(QemuConfig config) throws IOException {
        checkBinary(config.qemuBinary());
        this.config = config;
        this.name = "jahci-" + LibC.getpid() + "-" + COUNTER.incrementAndGet();
        this.shmPath = Path.of("/dev/shm", name + ".ram");
        this.socketPath = Path.of(System.getProperty("java.io.tmpdir"), name + ".qtest");
        this.qmpPath = Path.of(System.getProperty("java.io.tmpdir"), name + ".qmp");
        LIVE.add(this);
        Process started = null;
        try (UnixSocket server = UnixSocket.listen(socketPath)) {
            started = launch(commandLine());
            this.process = started;
            UnixSocket socket = accept(server);
            Files.deleteIfExists(socketPath);
            this.qtest = new QtestConnection(socket, name, config.replyTimeoutMillis(), this::diagnostics);
        } catch (IOException | RuntimeException e) {
            if (started != null) {
                started.destroyForcibly();
            }
            LIVE.remove(this);
            deleteFiles();
            throw e;
        }
    }

    private static void checkBinary(String binary) throws IOException {
        if (!Files.isExecutable(Path.of(binary))) {
            String where = binary.contains("/") ? binary + " is not an executable file" : binary + " is not on PATH";
            throw new IOException("QEMU not found: " + where + ". Install it with "
                    + "`apt-get install qemu-system-x86`, or set " + QemuConfig.QEMU_ENV
                    + " to the path of qemu-system-x86_64");
        }
    }

    /** Starts QEMU and connects to its qtest socket. */
    static QemuProcess start(QemuConfig config) throws IOException {
        return new QemuProcess(config);
    }

    QtestConnection qtest() {
        return qtest;
    }

    Path shmPath() {
        return shmPath;
    }

    long guestRamBytes() {
        return config.guestRamMiB() * 1024L * 1024L;
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    /** QEMU's QMP monitor socket (a server QEMU listens on). */
    Path qmpPath() {
        return qmpPath;
    }

    /** The monitor is connected: remove the socket's name so nothing can leak. */
    void unlinkQmpSocket() throws IOException {
        Files.deleteIfExists(qmpPath);
    }

    /** The guest RAM file is mapped by both sides now: remove its name so nothing can leak. */
    void unlinkGuestRam() throws IOException {
        Files.deleteIfExists(shmPath);
    }

    List<String> commandLine() {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            cmd.addAll(List.of("/usr/bin/setpriv", "--pdeathsig", "KILL", "--"));
        }
        String ram = config.guestRamMiB() + "M";
        cmd.addAll(List.of(config.qemuBinary(),
                "-machine", "q35,memory-backend=ram",
                "-accel", "tcg",
                "-S",
                "-nodefaults", "-no-user-config", "-display", "none",
                "-m", ram,
                "-object", "memory-backend-file,id=ram,size=" + ram + ",mem-path=" + shmPath + ",share=on",
                "-qtest", "unix:" + socketPath,
                "-qtest-log", "/dev/null",
                "-qmp", "unix:" + qmpPath + ",server=on,wait=off",
                "-device", "ich9-ahci,id=ahci1,addr=0x" + Integer.toHexString(AHCI_SLOT)));
        for (int i = 0; i < config.images().size(); i++) {
            cmd.addAll(drive(config.portOf(i), config.images().get(i)));
        }
        cmd.addAll(config.extraArgs());
        return cmd;
    }

    /**
     * The drive on port {@code port}: an image named {@code cd:FILE} becomes an ATAPI CD-ROM
     * ({@code ide-cd}, media=cdrom, read-only); any other a hard disk with {@code discard=unmap}, so
     * that TRIM punches holes in the image file. The device's id is {@code disk<port>} (for QMP).
     */
    static List<String> drive(int port, String image) {
        String id = "d" + port;
        String bus = ",bus=ahci1." + port + ",id=disk" + port;
        if (image.startsWith(QemuConfig.CD_PREFIX)) {
            String file = image.substring(QemuConfig.CD_PREFIX.length());
            return List.of("-drive", "if=none,id=" + id + ",file=" + file + ",format=raw,media=cdrom,readonly=on",
                    "-device", "ide-cd,drive=" + id + bus);
        }
        return List.of("-drive", "if=none,id=" + id + ",file=" + image + ",format=raw,discard=unmap",
                "-device", "ide-hd,drive=" + id + bus);
    }

    private Process launch(List<String> cmd) throws IOException {
        try {
            Process p = LAUNCHER.submit(() -> new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start()).get();
            Thread drain = new Thread(() -> keepOutput(p.getInputStream()), name + "-stderr");
            drain.setDaemon(true);
            drain.start();
            return p;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IOException("cannot start QEMU (" + config.qemuBinary() + "): " + cause.getMessage()
                    + ". Install it with `apt-get install qemu-system-x86`, or set " + QemuConfig.QEMU_ENV
                    + " to the path of qemu-system-x86_64", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting QEMU", e);
        }
    }

    private void keepOutput(InputStream stream) {
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = stream.read(buf)) > 0) {
                synchronized (stderr) {
                    stderr.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    if (stderr.length() > STDERR_KEEP) {
                        stderr.delete(0, stderr.length() - STDERR_KEEP);
                    }
                }
            }
        } catch (IOException ignored) {
            // QEMU closed its output: it is exiting
        }
    }

    private UnixSocket accept(UnixSocket server) throws IOException {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            UnixSocket socket = server.accept(5);
            if (socket != null) {
                return socket;
            }
            if (!process.isAlive()) {
                waitForOutput();
                throw new IOException("QEMU exited before it connected to the qtest socket" + diagnostics());
            }
        }
        throw new IOException("QEMU did not connect to the qtest socket within " + START_TIMEOUT_MILLIS / 1000
                + " s" + diagnostics());
    }

    /** QEMU's exit status (if it exited) and the tail of its output, for error messages. */
    String diagnostics() {
        StringBuilder text = new StringBuilder();
        if (process != null && !process.isAlive()) {
            text.append("; QEMU exit status ").append(process.exitValue());
        }
        String output;
        synchronized (stderr) {
            output = stderr.toString().strip();
        }
        if (!output.isEmpty()) {
            text.append("; QEMU said:\n").append(output);
        }
        text.append("\n  command line: ").append(String.join(" ", commandLine()));
        return text.toString();
    }

    private void waitForOutput() {
        try {
            process.waitFor(2, TimeUnit.SECONDS);
            sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeviceLostException("interrupted while waiting for QEMU", e);
        }
    }

    boolean isAlive() {
        return process.isAlive() && qtest.isAlive();
    }

    /**
     * Stops QEMU (SIGTERM, then SIGKILL after 5 s; SIGKILL at once when it stopped answering) and
     * removes its files. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean answering = qtest != null && qtest.isAlive();
        if (qtest != null) {
            qtest.close();
        }
        if (answering) {
            process.destroy();
        } else {
            // Stopped or wedged (it gave up answering): SIGTERM would wait for it to run again.
            process.destroyForcibly();
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteFiles();
        LIVE.remove(this);
    }

    private void deleteFiles() {
        try {
            Files.deleteIfExists(shmPath);
            Files.deleteIfExists(socketPath);
            Files.deleteIfExists(qmpPath);
        } catch (IOException ignored) {
            // best effort: the names are unique per process and run
        }
    }
}
