package io.jahci.disk;

import io.jahci.hw.RefusedException;
import io.jahci.fault.PortException;
import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link DiskRequest} against QEMU's AHCI: in place through a reserved command, and copied; the
 * image holds what was written, reads return it, one request is reused for all, and bad
 * arguments are refused before anything reaches the disk.
 */
@Tag("qemu")
class DiskRequestQemuTest {
    private static final int SECTOR = 512;

    @TempDir
    Path dir;

    private final BlockingQueue<Object> completions = new ArrayBlockingQueue<>(4);

    private void awaitSuccess() throws InterruptedException {
        Object outcome = completions.poll(30, TimeUnit.SECONDS);
        assertEquals("ok", outcome instanceof PortException e ? e.getMessage() : outcome);
    }

    @Test
    void oneRequestWritesAndReadsInPlaceAndCopiedAndTheImageAgrees() throws Exception {
        Path image = Images.create(dir, "a.img", 8L << 20);
        byte[] small = Images.random(11, 64 << 10);
        byte[] big = Images.random(12, 3 << 20); // several commands: the copied path splits it
        try (Controller c = Controller.open(DeviceSpec.parse("qemu:" + image), OpenOptions.readWrite())) {
            Disk disk = c.disk(0);
            DiskRequest r = disk.newRequest((req, failure) -> completions.add(failure == null ? "ok" : failure));
            assertTrue(small.length <= disk.maxTransferBytes());

            r.reserve(small.length).put(small);
            r.write(128, false);
            awaitSuccess();
            r.flush();
            awaitSuccess();
            r.data().put(new byte[small.length]); // forget it: the read must bring it back
            r.read(128);
            awaitSuccess();
            byte[] back = new byte[small.length];
            r.data().get(back);
            assertArrayEquals(small, back, "read in place");
            r.release();
            assertEquals(0, disk.commandsTaken());

            r.write(2048, ByteBuffer.wrap(big), false);
            awaitSuccess();
            ByteBuffer bigBack = ByteBuffer.allocateDirect(big.length);
            r.read(2048, bigBack);
            awaitSuccess();
            assertEquals(big.length, bigBack.position(), "the copied read moved the position before its completion");
            byte[] b = new byte[big.length];
            bigBack.flip().get(b);
            assertArrayEquals(big, b, "read copied");
            disk.flush();
        }
        assertArrayEquals(small, Images.read(image, 128L * SECTOR, small.length));
        assertArrayEquals(big, Images.read(image, 2048L * SECTOR, big.length));
    }

    @Test
    void badArgumentsAreRefusedBeforeTheDisk() throws Exception {
        Path image = Images.create(dir, "b.img", 1L << 20);
        Images.write(image, 0, Images.random(13, 1 << 20));
        byte[] before = Images.read(image, 0, 1 << 20);
        try (Controller c = Controller.open(DeviceSpec.parse("qemu:" + image), OpenOptions.readOnly())) {
            Disk disk = c.disk(0);
            DiskRequest r = disk.newRequest((req, failure) -> completions.add(failure == null ? "ok" : failure));
            assertThrows(IllegalStateException.class, () -> r.read(0), "no command reserved");
            r.reserve(4096);
            IllegalArgumentException past = assertThrows(IllegalArgumentException.class, () -> r.read(disk.sectors() - 4));
            assertTrue(past.getMessage().contains("the disk has " + disk.sectors() + " sectors"), past.getMessage());
            RefusedException ro = assertThrows(RefusedException.class, () -> r.write(0, false));
            assertTrue(ro.getMessage().contains("--allow-write"), ro.getMessage());
            assertThrows(RefusedException.class, () -> r.write(0, true), "read-only comes first");
            r.release();
            assertTrue(completions.isEmpty(), "nothing reached the disk: " + completions);
        }
        assertTrue(Arrays.equals(before, Images.read(image, 0, 1 << 20)), "the image is unchanged");
    }
}
