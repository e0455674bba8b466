package io.jahci.cli;

import io.jahci.disk.Controller;
import io.jahci.disk.Disk;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * {@code jahci demo}: bring the controller up, identify the first disk, write a pattern, read it
 * back and compare. On a user's image it needs --allow-write and puts the original sectors back.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start the controller, identify the first disk, write a 1 MiB pattern, read it back and "
                + "verify it. Exit 0 when all of it worked. On an image you named (--device qemu:IMG) it needs "
                + "--allow-write and restores the sectors it used.")
final class DemoCommand implements Callable<Integer> {
    private static final int PATTERN_BYTES = 1024 * 1024;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--allow-write", description = "Allow the demo to use (and restore) sectors of a named image.")
    boolean allowWrite;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        boolean temporaryDisk = main.device().equals("qemu");
        if (!temporaryDisk && !allowWrite) {
            throw new Main.UsageException("the demo writes (and then restores) 1 MiB of the first disk of "
                    + main.device() + ": add --allow-write, or run it on the default temporary disk (--device qemu)");
        }
        long started = System.nanoTime();
        try (Controller controller = main.open(true)) {
            out.println("controller: " + controller.describe());
            for (String warning : controller.warnings()) {
                out.println("warning: " + warning);
            }
            if (controller.disks().isEmpty()) {
                throw new java.io.IOException("no ATA disk found on " + controller.describe());
            }
            Disk disk = controller.disks().get(0);
            out.println("disk on port " + disk.port() + ": " + IdentifyCommand.format(disk.identity()));
            int sectors = PATTERN_BYTES / disk.sectorSize();
            long lba = Math.max(0, Math.min(2048, disk.sectors() - sectors));
            ByteBuffer original = ByteBuffer.allocate(sectors * disk.sectorSize());
            disk.read(lba, original);

            ByteBuffer pattern = ByteBuffer.allocate(original.capacity());
            for (int i = 0; i < pattern.capacity(); i += 8) {
                pattern.putLong(i, 0x6a61686369L << 24 ^ (lba * disk.sectorSize() + i));
            }
            long t0 = System.nanoTime();
            disk.write(lba, pattern);
            disk.flush();
            long t1 = System.nanoTime();
            ByteBuffer back = ByteBuffer.allocate(pattern.capacity());
            disk.read(lba, back);
            long t2 = System.nanoTime();
            boolean same = Arrays.equals(pattern.array(), back.array());
            if (!temporaryDisk) {
                disk.write(lba, original);
                disk.flush();
            }
            out.printf("wrote %d sectors at LBA %d in %.1f ms, read them back in %.1f ms: %s%n", sectors, lba,
                    (t1 - t0) / 1e6, (t2 - t1) / 1e6, same ? "verified, identical" : "MISMATCH");
            out.printf("demo %s in %.1f s (%s)%n", same ? "passed" : "FAILED", (System.nanoTime() - started) / 1e9,
                    temporaryDisk ? "temporary disk, already deleted" : "original sectors restored");
            return same ? 0 : Main.DEVICE_ERROR;
        }
    }
}
