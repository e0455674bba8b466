package io.jahci.cli;

import io.jahci.disk.Controller;
import io.jahci.disk.Disk;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code jahci demo}: bring the controller up, identify the first disk, write a pattern, read it back and compare.
 * On the default temporary disk it writes at LBA 2048. On a device the user named it needs --allow-write and
 * --lba (only the user knows where no data lives), saves the original sectors to a file first
 * ({@link SavedSectors}) and puts them back whatever happens after its first write: a failure, SIGINT or SIGTERM
 * ({@link RestoreWindow}), or success. Runs on the command's thread (PASSIVE).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start the controller, identify the first disk, write a 1 MiB pattern, read it back and "
                + "verify it. Exit 0 when all of it worked. On a device you named (qemu:IMG, vfio:BDF, uio:BDF) it "
                + "needs --allow-write and --lba, saves the original sectors to a file first and puts them back "
                + "(also after an I/O error, Ctrl-C or SIGTERM).")
final class DemoCommand implements Callable<Integer> {
    private static final int PATTERN_BYTES = 1024 * 1024;
    private static final long TEMPORARY_DISK_LBA = 2048;
    /**
     * Tests only: a file the demo creates once its pattern is written and flushed, after which it waits (up to
     * {@link #PAUSE_SECONDS}) for a stop signal, so a test delivers one between the write and the restore by
     * observation rather than by timing.
     */
    static final String PAUSE_PROPERTY = "jahci.test.demoWritten";
    private static final long PAUSE_SECONDS = 120;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--allow-write", description = "Allow the demo to use (and restore) sectors of a device you named.")
    boolean allowWrite;

    @Option(names = "--lba", paramLabel = "L", description = "First of the demo's 1 MiB of sectors. Needed on a device "
            + "you named: choose sectors that hold no data. Default on the temporary disk: 2048.")
    Long lba;

    @Option(names = "--save", paramLabel = "FILE", description = "Where the original sectors are saved until they are "
            + "back (must not exist). Default: $XDG_STATE_HOME/jahci/ or /var/tmp/, "
            + "jahci-demo-HASH-portN-lbaL.bin.")
    Path save;

    /** What the pattern run found; {@code stopped} when a signal cut it short. */
    private record Outcome(boolean same, boolean stopped, double writeMillis, double readMillis) {}

    @Override
    public Integer call() throws Exception {
        boolean temporaryDisk = main.device().equals("qemu");
        if (!temporaryDisk && (!allowWrite || lba == null)) {
            throw new Main.UsageException("the demo overwrites 1 MiB of the first disk of " + main.device()
                    + " for a moment (it saves the original sectors to a file and puts them back): add --allow-write "
                    + "and --lba L, with L the first of 1 MiB of sectors that hold no data (unpartitioned space: "
                    + "see fdisk -l), or run it on the temporary disk (no --device)");
        }
        if (lba != null && lba < 0) {
            throw new Main.UsageException("--lba " + lba + " is negative");
        }
        try (RestoreWindow window = RestoreWindow.install(spec.commandLine().getErr(),
                temporaryDisk ? "the temporary disk goes with QEMU" : "nothing was written to " + main.device())) {
            return run(temporaryDisk, window);
        }
    }

    private int run(boolean temporaryDisk, RestoreWindow window) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        long started = System.nanoTime();
        try (Controller controller = main.open(true)) {
            out.println("controller: " + controller.describe());
            for (String warning : controller.warnings()) {
                out.println("warning: " + warning);
            }
            if (controller.disks().isEmpty()) {
                throw new IOException("no ATA disk found on " + controller.describe());
            }
            Disk disk = controller.disks().get(0);
            out.println("disk on port " + disk.port() + ": " + IdentifyCommand.format(disk.identity()));
            int sectors = PATTERN_BYTES / disk.sectorSize();
            long at = lba != null ? lba : Math.max(0, Math.min(TEMPORARY_DISK_LBA, disk.sectors() - sectors));
            if (at + sectors > disk.sectors()) {
                throw new Main.UsageException("--lba " + at + ": the demo's " + sectors + " sectors " + at + ".."
                        + (at + sectors - 1) + " do not fit on the disk on port " + disk.port() + ", which has "
                        + disk.sectors() + " sectors");
            }
            if (temporaryDisk) {
                Outcome outcome = exercise(disk, at, sectors, window);
                return report(out, outcome, sectors, at, started, "temporary disk, already deleted");
            }
            return overwriteAndRestore(disk, at, sectors, window, out, started);
        }
    }

    /** On a named device: save, write/read/compare, restore, inside the {@link RestoreWindow}. */
    private int overwriteAndRestore(Disk disk, long at, int sectors, RestoreWindow window, PrintWriter out,
            long started) throws Exception {
        if (!window.enter()) {
            return window.stop().orElseThrow().exitCode();
        }
        try {
            Path file = save != null ? save : SavedSectors.defaultFile(main.device(), disk.port(), at);
            SavedSectors saved = SavedSectors.save(disk, at, sectors, file, main.device());
            window.ifStopped("the original sectors at LBA " + at + ".." + (at + sectors - 1) + " are saved in "
                    + saved.file() + ": put them back with `" + saved.restoreCommand() + "`");
            out.println("saved the original " + sectors + " sectors at LBA " + at + " of port " + disk.port() + " to "
                    + saved.file() + " (if jahci is killed before it puts them back: " + saved.restoreCommand() + ")");
            out.flush();
            if (window.stop().isPresent()) {
                saved.discard();
                return stopped(window, "nothing was written");
            }
            Outcome outcome;
            try {
                outcome = exercise(disk, at, sectors, window);
            } catch (Throwable failure) {
                restoreAfter(failure, saved, out);
                throw failure;
            }
            saved.restore();
            out.println("put the original sectors back, read them back identical, deleted " + saved.file());
            if (outcome.stopped()) {
                return stopped(window, "the original sectors at LBA " + at + ".." + (at + sectors - 1)
                        + " are back (read back identical)");
            }
            return report(out, outcome, sectors, at, started, "original sectors restored");
        } finally {
            window.leave();
        }
    }

    /** After a failure past the first write: restores, and says so; a failed restore joins the failure. */
    private static void restoreAfter(Throwable failure, SavedSectors saved, PrintWriter out) throws IOException {
        try {
            saved.restore();
        } catch (IOException | RuntimeException restoreFailed) {
            restoreFailed.addSuppressed(failure);
            throw new IOException(restoreFailed.getMessage() + ". Before that the demo failed: "
                    + failure.getMessage().lines().findFirst().orElse(""), restoreFailed);
        }
        out.println("the demo failed after its write; put the original sectors back, read them back identical, "
                + "deleted " + saved.file());
        out.flush();
    }

    /** A signal came inside the window and the command is done: says so, returns 130/143. */
    private int stopped(RestoreWindow window, String what) {
        StopSignals.Stop stop = window.stop().orElseThrow();
        PrintWriter err = spec.commandLine().getErr();
        err.println("jahci: stopped by " + stop + ": " + what);
        err.flush();
        return stop.exitCode();
    }

    /** Writes the pattern, flushes, reads it back and compares; stops early when a signal was recorded. */
    private static Outcome exercise(Disk disk, long at, int sectors, RestoreWindow window) throws Exception {
        ByteBuffer pattern = ByteBuffer.allocate(sectors * disk.sectorSize());
        for (int i = 0; i < pattern.capacity(); i += 8) {
            pattern.putLong(i, 0x6a61686369L << 24 ^ (at * disk.sectorSize() + i));
        }
        long t0 = System.nanoTime();
        disk.write(at, pattern.duplicate());
        disk.flush();
        long t1 = System.nanoTime();
        pauseForTest(window);
        if (window.stop().isPresent()) {
            return new Outcome(false, true, 0, 0);
        }
        ByteBuffer back = ByteBuffer.allocate(pattern.capacity());
        disk.read(at, back.duplicate());
        long t2 = System.nanoTime();
        return new Outcome(Arrays.equals(pattern.array(), back.array()), window.stop().isPresent(), (t1 - t0) / 1e6,
                (t2 - t1) / 1e6);
    }

    /** {@link #PAUSE_PROPERTY}: marks the write done and waits for a signal (tests only). */
    private static void pauseForTest(RestoreWindow window) throws IOException, InterruptedException {
        String marker = System.getProperty(PAUSE_PROPERTY);
        if (marker != null) {
            Files.createFile(Path.of(marker));
            window.awaitStop(PAUSE_SECONDS, TimeUnit.SECONDS);
        }
    }

    private int report(PrintWriter out, Outcome o, int sectors, long at, long started, String where) {
        out.printf("wrote %d sectors at LBA %d in %.1f ms, read them back in %.1f ms: %s%n", sectors, at,
                o.writeMillis(), o.readMillis(), o.same() ? "verified, identical" : "MISMATCH");
        out.printf("demo %s in %.1f s (%s)%n", o.same() ? "passed" : "FAILED", (System.nanoTime() - started) / 1e9,
                where);
        return o.same() ? 0 : Main.FINDING;
    }
}
