package io.jahci.hw.qemu;

import io.jahci.testing.Discs;
import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cd:FILE} attaches an ATAPI CD-ROM; hard disks get discard=unmap. */
class QemuDrivesTest {
    @TempDir
    Path dir;

    @Test
    void aCdPrefixMakesAnIdeCdWithCdromMediaAndDisksUnmapDiscards() {
        assertEquals(List.of("-drive", "if=none,id=d1,file=/x/disc.iso,format=raw,media=cdrom,readonly=on",
                "-device", "ide-cd,drive=d1,bus=ahci1.1,id=disk1"), QemuProcess.drive(1, "cd:/x/disc.iso"));
        assertEquals(List.of("-drive", "if=none,id=d0,file=blkdebug:r.conf:a.img,format=raw,discard=unmap",
                "-device", "ide-hd,drive=d0,bus=ahci1.0,id=disk0"), QemuProcess.drive(0, "blkdebug:r.conf:a.img"));
    }

    @Test
    @Tag("qemu")
    void qemuSeesARemovableReadOnlyCdAndAWritableDisk() throws Exception {
        Path image = Images.create(dir, "a.img", 1 << 20);
        Path disc = Discs.pattern(dir, "disc.bin", 16, 1);
        QemuConfig config = QemuConfig.fromEnvironment(List.of(image.toString(), "cd:" + disc),
                Map.of("PATH", System.getenv("PATH")));
        try (QemuTransport t = QemuTransport.open(config)) {
            List<?> blocks = (List<?>) t.qmp("query-block", Map.of());
            Map<?, ?> cd = device(blocks, "d1");
            Map<?, ?> disk = device(blocks, "d0");
            assertEquals(true, cd.get("removable"), "the CD is removable: " + blocks);
            Map<?, ?> medium = (Map<?, ?>) cd.get("inserted");
            assertEquals(disc.toString(), medium.get("file"), blocks.toString());
            assertEquals(true, medium.get("ro"), "the CD is read-only: " + blocks);
            assertEquals(false, ((Map<?, ?>) disk.get("inserted")).get("ro"), "the disk is writable: " + blocks);
        }
    }

    private static Map<?, ?> device(List<?> blocks, String id) {
        for (Object block : blocks) {
            if (id.equals(((Map<?, ?>) block).get("device"))) {
                return (Map<?, ?>) block;
            }
        }
        throw new AssertionError("query-block lists no " + id + ": " + blocks);
    }
}
