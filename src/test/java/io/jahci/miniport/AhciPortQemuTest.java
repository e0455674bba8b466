package io.jahci.miniport;

import io.jahci.hw.qemu.QemuConfig;
import io.jahci.hw.qemu.QemuTransport;
import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The miniport against QEMU's AHCI: scatter lists and commands split from one transfer. */
@Tag("qemu")
class AhciPortQemuTest {
    @TempDir
    Path dir;

    @Test
    void longScatterListsAndSplitCommandsMoveDataIntact() throws Exception {
        Path image = Images.create(dir, "a.img", 32 << 20);
        AhciPortOptions pageSized = AhciPortOptions.DEFAULT.withScatterList(248, 4096);
        try (QemuTransport t = QemuTransport.open(QemuConfig.fromEnvironment(List.of(image.toString())));
             AhciHba hba = AhciHba.open(t, AhciHba.Config.defaults().withPorts(pageSized))) {
            AhciPort port = hba.ports().get(0);
            assertEquals(248 * 4096 / 512, port.maxSectorsPerCommand());
            int bytes = 3 * 1024 * 1024;
            byte[] data = Images.random(11, bytes);
            long commands = port.counters().commandsIssued();
            long prds = port.counters().prdEntriesIssued();
            port.io().transfer(true, 100, ByteBuffer.wrap(data));
            assertEquals(4, port.counters().commandsIssued() - commands, "3 MiB in commands of 992 KiB");
            assertEquals(bytes / 4096, port.counters().prdEntriesIssued() - prds, "one PRD per 4 KiB");
            port.io().flush();
            assertArrayEquals(data, Images.read(image, 100 * 512L, bytes));
            ByteBuffer back = ByteBuffer.allocate(bytes);
            port.io().transfer(false, 100, back);
            assertArrayEquals(data, back.array());
        }
    }
}
