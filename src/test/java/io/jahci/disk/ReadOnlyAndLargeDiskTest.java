package io.jahci.disk;

import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** A disk beyond LBA28's reach, opened read-only. */
@Tag("qemu")
class ReadOnlyAndLargeDiskTest {
    private static final long LBA28_LIMIT = 1L << 28;

    @TempDir
    Path dir;

    @Test
    void readsBeyondLba28AndRefusesWritesWhenReadOnly() throws Exception {
        long sectors = LBA28_LIMIT + 8192;
        Path image = Images.create(dir, "big.img", sectors * 512);
        long lba = LBA28_LIMIT + 4097;
        byte[] data = Images.random(5, 8 * 512);
        Images.write(image, lba * 512, data);
        try (Controller c = Controller.open(DeviceSpec.parse("qemu:" + image), OpenOptions.readOnly())) {
            Disk disk = c.disk(0);
            assertEquals(sectors, disk.sectors());
            assertTrue(disk.identity().lba48());
            ByteBuffer buffer = ByteBuffer.allocate(data.length);
            disk.read(lba, buffer);
            assertArrayEquals(data, buffer.array());

            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> disk.write(lba, ByteBuffer.allocate(512)));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            assertArrayEquals(data, Images.read(image, lba * 512, data.length), "the image is unchanged");
        }
    }
}
