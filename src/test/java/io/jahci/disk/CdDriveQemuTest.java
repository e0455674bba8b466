package io.jahci.disk;

import io.jahci.ahci.SenseData;
import io.jahci.hw.qemu.QemuConfig;
import io.jahci.hw.qemu.QemuTransport;
import io.jahci.miniport.AhciHba;
import io.jahci.miniport.AhciPort;
import io.jahci.testing.Discs;
import io.jahci.testing.Images;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** An ATAPI CD-ROM (QEMU's ide-cd) driven with PACKET commands: identity, reads, no medium, medium change. */
@Tag("qemu")
class CdDriveQemuTest {
    private static final int BLOCKS = 300;

    @TempDir
    Path dir;
    private QemuTransport qemu;
    private AhciHba hba;

    private CdDrive open(Path disc) throws Exception {
        Path disk = Images.create(dir, "a.img", 4 << 20);
        qemu = QemuTransport.open(QemuConfig.fromEnvironment(List.of(disk.toString(), "cd:" + disc)));
        hba = AhciHba.open(qemu, AhciHba.Config.defaults());
        AhciPort port = hba.ports().get(1);
        return new CdDrive("qemu", port);
    }

    @AfterEach
    void close() {
        if (hba != null) {
            hba.close();
        }
        if (qemu != null) {
            qemu.close();
        }
    }

    @Test
    void identityAndReadsByteForByteAtSeveralLbas() throws Exception {
        CdDrive cd = open(Discs.pattern(dir, "disc.bin", BLOCKS, 1));
        CdIdentity id = cd.identity();
        assertEquals(new CdIdentity(1, "QEMU", "QEMU DVD-ROM", id.revision(), BLOCKS, 2048), id);
        assertTrue(qemu.describe().contains("(1 disk, 1 CD-ROM, pid "), qemu.describe());
        assertFalse(id.revision().isEmpty());
        for (int[] range : new int[][] {{0, 1}, {1, 2}, {150, 3}, {BLOCKS - 1, 1}, {0, BLOCKS}}) {
            ByteBuffer buf = ByteBuffer.allocate(range[1] * CdDrive.BLOCK);
            cd.read(range[0], buf);
            for (int i = 0; i < range[1]; i++) {
                assertArrayEquals(Discs.sector(range[0] + i, 1),
                        Arrays.copyOfRange(buf.array(), i * 2048, (i + 1) * 2048), "LBA " + (range[0] + i));
            }
        }
        IllegalArgumentException past = assertThrows(IllegalArgumentException.class,
                () -> cd.read(BLOCKS - 1, ByteBuffer.allocate(2 * 2048)));
        assertTrue(past.getMessage().contains("the disc has 300 blocks"), past.getMessage());
        UnsupportedOperationException write = assertThrows(UnsupportedOperationException.class,
                () -> cd.write(0, ByteBuffer.allocate(2048)));
        assertTrue(write.getMessage().contains("reads optical media only"), write.getMessage());
    }

    @Test
    void anIsoBuiltHereReadsBackWhole() throws Exception {
        Path content = Files.createDirectories(dir.resolve("content"));
        Files.write(content.resolve("data.bin"), Images.random(5, 100_000));
        Path iso = Discs.iso(dir, "disc.iso", content, "JAHCI_TEST");
        CdDrive cd = open(iso);
        byte[] expected = Files.readAllBytes(iso);
        assertEquals(expected.length / 2048, cd.blocks());
        ByteBuffer all = ByteBuffer.allocate(expected.length);
        cd.read(0, all);
        assertArrayEquals(expected, all.array());
        // ISO 9660 §8.4: the primary volume descriptor at LBA 16, "CD001", volume identifier at byte 40
        assertEquals("CD001", new String(all.array(), 16 * 2048 + 1, 5, StandardCharsets.US_ASCII));
        assertEquals("JAHCI_TEST", new String(all.array(), 16 * 2048 + 40, 10, StandardCharsets.US_ASCII));
    }

    @Test
    void noMediumIsSaidSoAndAChangedMediumIsReadAfterTheUnitAttention() throws Exception {
        CdDrive cd = open(Discs.pattern(dir, "one.bin", BLOCKS, 1));
        assertTrue(cd.mediumPresent());
        qemu.qmp("eject", Map.of("id", "disk1", "force", true));
        assertFalse(cd.mediumPresent());
        CheckConditionException none = assertThrows(CheckConditionException.class,
                () -> cd.read(0, ByteBuffer.allocate(2048)));
        assertTrue(none.sense().noMedium(), none.sense().toString());
        assertTrue(none.getMessage().contains("NOT READY, medium not present"), none.getMessage());
        assertTrue(none.getMessage().contains("insert one"), none.getMessage());
        assertEquals(0, cd.identity().blocks(), "identify says: no medium");

        Path two = Discs.pattern(dir, "two.bin", 40, 2);
        qemu.qmp("blockdev-change-medium", Map.of("id", "disk1", "filename", two.toString(), "format", "raw"));
        // the drive reports UNIT ATTENTION (medium may have changed) once; the read retries past it
        ByteBuffer buf = ByteBuffer.allocate(2048);
        cd.read(39, buf);
        assertArrayEquals(Discs.sector(39, 2), buf.array());
        assertEquals(40, cd.blocks());
    }

    @Test
    void senseDecodingOfAnIllegalRead() {
        SenseData outOfRange = new SenseData(0x5, 0x21, 0);
        assertEquals("ILLEGAL REQUEST, logical block address out of range (sense 5/21h/00h)", outOfRange.toString());
    }
}
