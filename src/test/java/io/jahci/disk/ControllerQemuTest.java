package io.jahci.disk;

import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The disk API against QEMU's AHCI with two disks: identify, read, write, bad input. */
@Tag("qemu")
class ControllerQemuTest {
    private static final long SIZE_A = 64L << 20;
    private static final long SIZE_B = 24L << 20;

    @TempDir
    static Path dir;
    static Path imageA;
    static Path imageB;
    static Controller controller;

    @BeforeAll
    static void open() throws Exception {
        imageA = Images.create(dir, "a.img", SIZE_A);
        imageB = Images.create(dir, "b.img", SIZE_B);
        controller = Controller.open(DeviceSpec.parse("qemu:" + imageA + "," + imageB), OpenOptions.readWrite());
    }

    @AfterAll
    static void close() {
        if (controller != null) {
            controller.close();
        }
    }

    @Test
    void identifiesEveryDiskWithItsOwnCapacity() {
        List<Disk> disks = controller.disks();
        assertEquals(2, disks.size());
        assertEquals(0, disks.get(0).port());
        assertEquals(1, disks.get(1).port());
        assertEquals(SIZE_A / 512, disks.get(0).sectors());
        assertEquals(SIZE_B / 512, disks.get(1).sectors());
        DiskIdentity a = disks.get(0).identity();
        assertEquals("QEMU HARDDISK", a.model());
        assertTrue(a.lba48());
        assertEquals(512, a.logicalSectorSize());
        assertEquals(32, a.ncqDepth());
        assertNotEquals(a.serial(), disks.get(1).identity().serial());
    }

    @Test
    void reportsEmptyPortsAsEmpty() {
        List<Controller.PortStatus> ports = controller.ports();
        assertEquals(6, ports.size());
        for (int p = 2; p < 6; p++) {
            assertEquals(PortCondition.NO_DEVICE, ports.get(p).state(), "port " + p);
        }
        NoSuchElementException e = assertThrows(NoSuchElementException.class, () -> controller.disk(3));
        assertTrue(e.getMessage().contains("port 3 has no ATA disk (it is empty)"), e.getMessage());
    }

    @Test
    void registersAreOneSnapshotInWhichHbaIsNamesOnlyPortsWithPxIsPending() throws Exception {
        // HBA IS bit p is set only while port p's PxIS is (AHCI 1.3.1 §3.1.2), and only an ISR clears PxIS:
        // IS read first, PxIS after, with no ISR in between, a set IS bit always finds PxIS non-zero.
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread load = new Thread(() -> {
            ByteBuffer a = ByteBuffer.allocateDirect(4096);
            ByteBuffer b = ByteBuffer.allocateDirect(4096);
            try {
                while (!stop.get()) {
                    a.clear(); // a read leaves the position at the limit, as a channel's does
                    b.clear();
                    CompletableFuture<Void> fa = controller.disk(0).readAsync(0, a);
                    CompletableFuture<Void> fb = controller.disk(1).readAsync(0, b);
                    fa.get(10, TimeUnit.SECONDS);
                    fb.get(10, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "registers-load");
        load.start();
        int seenPending = 0;
        try {
            for (int i = 0; i < 300; i++) {
                Controller.Registers r = controller.registers();
                assertEquals(List.of("CAP", "GHC", "IS", "PI", "VS"), List.copyOf(r.hba().keySet()), "AHCI 1.0: no CAP2, no BOHC");
                assertEquals(List.of(0, 1, 2, 3, 4, 5), List.copyOf(r.ports().keySet()));
                int is = r.hba().get("IS");
                for (int p = 0; p < 6; p++) {
                    if ((is & (1 << p)) != 0) {
                        seenPending++;
                        assertNotEquals(0, r.ports().get(p).get("IS"), "snapshot " + i + ": HBA IS " + Integer.toHexString(is)
                                + " names port " + p + " whose PxIS reads 0: an ISR ran between the reads");
                    }
                }
            }
        } finally {
            stop.set(true);
            load.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertFalse(load.isAlive(), "the load ended");
        assertTrue(seenPending > 0, "some snapshot caught an interrupt pending (else the check above checked nothing)");
    }

    @Test
    void readsWhatTheHostWroteIntoTheImage() throws Exception {
        byte[] data = Images.random(1, 64 * 1024);
        Images.write(imageA, 1000 * 512L, data);
        ByteBuffer buffer = ByteBuffer.allocate(data.length);
        controller.disk(0).read(1000, buffer);
        assertArrayEquals(data, buffer.array());
        assertEquals(data.length, buffer.position(), "the buffer's position is at its limit, as after a channel's read");
    }

    @Test
    void writesLandByteForByteInTheImageFile() throws Exception {
        byte[] data = Images.random(2, 3 * 512 + 512 * 40);
        Disk disk = controller.disk(1);
        disk.write(777, ByteBuffer.wrap(data));
        disk.flush();
        assertArrayEquals(data, Images.read(imageB, 777 * 512L, data.length));
    }

    @Test
    void writeThroughIsOnTheMediumWhenItReturnsWithAFlushWhenTheDiskHasNoFua() throws Exception {
        Disk disk = controller.disk(0);
        assertFalse(disk.identity().fua(), "QEMU 7.2's IDENTIFY does not offer FUA");
        byte[] data = Images.random(9, 8192);
        disk.writeThrough(300, ByteBuffer.wrap(data));
        assertArrayEquals(data, Images.read(imageA, 300 * 512L, data.length));
    }

    @Test
    void movesTransfersLargerThanOneCommand() throws Exception {
        Disk disk = controller.disk(0);
        int bytes = 9 * 1024 * 1024 + 512;
        assertTrue(bytes / 512 > disk.maxSectorsPerCommand(), "must need more than one command");
        byte[] data = Images.random(3, bytes);
        disk.write(4096, ByteBuffer.wrap(data));
        disk.flush();
        assertArrayEquals(data, Images.read(imageA, 4096 * 512L, bytes));
        ByteBuffer back = ByteBuffer.allocateDirect(bytes);
        Images.write(imageA, 4096 * 512L + 12345, new byte[] {1, 2, 3});
        disk.read(4096, back);
        byte[] expected = Images.read(imageA, 4096 * 512L, bytes);
        byte[] actual = new byte[bytes];
        back.get(0, actual);
        assertArrayEquals(expected, actual);
    }

    @Test
    void rejectsAnLbaPastTheEndAndWritesNothing() throws Exception {
        Disk disk = controller.disk(1);
        String before = Images.sha256(imageB);
        ByteBuffer two = ByteBuffer.wrap(Images.random(4, 1024));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> disk.write(disk.sectors() - 1, two));
        assertTrue(e.getMessage().contains("LBA " + (disk.sectors() - 1) + ".." + disk.sectors()), e.getMessage());
        assertTrue(e.getMessage().contains("the disk has " + disk.sectors() + " sectors"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> disk.read(-1, ByteBuffer.allocate(512)));
        assertThrows(IllegalArgumentException.class, () -> disk.write(disk.sectors(), ByteBuffer.allocate(512)));
        assertEquals(before, Images.sha256(imageB));
    }

    @Test
    void rejectsBuffersThatAreNotWholeSectors() throws Exception {
        Disk disk = controller.disk(1);
        String before = Images.sha256(imageB);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> disk.write(0, ByteBuffer.allocate(100)));
        assertTrue(e.getMessage().contains("100 bytes, which is not a whole, non-zero number of 512-byte sectors"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> disk.read(0, ByteBuffer.allocate(0)));
        assertEquals(before, Images.sha256(imageB));
    }

    @Test
    void movesTheBufferPositionLikeAChannel() throws Exception {
        Disk disk = controller.disk(0);
        byte[] data = Images.random(21, 8 * 512);
        ByteBuffer out = ByteBuffer.allocate(16 * 512).put(data).flip();
        disk.write(6000, out.limit(2 * 512));
        assertEquals(2 * 512, out.position(), "write moved the position to the limit");
        for (int writes = 1; out.limit(Math.min(out.position() + 2 * 512, data.length)).hasRemaining(); writes++) {
            assertTrue(writes <= 3, "three more 2-sector writes send the rest");
            disk.write(6000 + out.position() / 512, out);
        }
        assertEquals(data.length, out.position());
        disk.flush();
        assertArrayEquals(data, Images.read(imageA, 6000 * 512L, data.length));

        ByteBuffer in = ByteBuffer.allocateDirect(data.length);
        int reads = 0;
        while (in.hasRemaining()) { // the usual nio loop: ends only when each read moves the position
            assertTrue(++reads <= 4, "four 2-sector reads fill the buffer");
            int at = in.position();
            disk.read(6000 + at / 512, in.limit(at + 2 * 512));
            in.limit(in.capacity());
        }
        byte[] back = new byte[data.length];
        in.flip().get(back);
        assertArrayEquals(data, back);
        ByteBuffer part = ByteBuffer.allocate(4 * 512).position(512).limit(3 * 512);
        disk.read(6001, part);
        assertEquals(3 * 512, part.position(), "read moved the position to the limit");
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 512, 3 * 512),
                java.util.Arrays.copyOfRange(part.array(), 512, 3 * 512));

        ByteBuffer async = ByteBuffer.allocate(8 * 512);
        disk.readAsync(6000, async).get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(async.limit(), async.position(), "readAsync moved the position before its future completed");
        assertArrayEquals(data, async.array());

        ByteBuffer refused = ByteBuffer.allocate(512).position(0);
        assertThrows(IllegalArgumentException.class, () -> disk.read(disk.sectors(), refused));
        assertEquals(0, refused.position(), "a refused read leaves the position");
    }
}
