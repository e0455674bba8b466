package io.jahci.miniport;

import io.jahci.hw.qemu.QemuConfig;
import io.jahci.hw.qemu.QemuTransport;
import io.jahci.testing.Images;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The miniport against QEMU's AHCI: scatter lists, failed commands, recovery. */
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
            long commands = port.commandsIssued();
            long prds = port.prdEntriesIssued();
            port.transfer(true, 100, ByteBuffer.wrap(data));
            assertEquals(4, port.commandsIssued() - commands, "3 MiB in commands of 992 KiB");
            assertEquals(bytes / 4096, port.prdEntriesIssued() - prds, "one PRD per 4 KiB");
            port.flush();
            assertArrayEquals(data, Images.read(image, 100 * 512L, bytes));
            ByteBuffer back = ByteBuffer.allocate(bytes);
            port.transfer(false, 100, back);
            assertArrayEquals(data, back.array());
        }
    }

    @ParameterizedTest(name = "SyncWithIsr {0}")
    @ValueSource(booleans = {true, false})
    void aFailedReadNamesTheRangeAndStatusAndThePortRecovers(boolean syncWithIsr) throws Exception {
        Path image = Images.create(dir, "bad.img", 8 << 20);
        byte[] good = Images.random(12, 4096);
        Images.write(image, 0, good);
        Path rules = dir.resolve("rules.conf");
        Files.writeString(rules, "[inject-error]\nevent = \"read_aio\"\nerrno = \"5\"\nsector = \"2000\"\nonce = \"on\"\n");
        String spec = "blkdebug:" + rules + ":" + image;
        try (QemuTransport t = QemuTransport.open(QemuConfig.fromEnvironment(List.of(spec)));
             AhciHba hba = AhciHba.open(t, AhciHba.Config.defaults().withSyncWithIsr(syncWithIsr))) {
            AhciPort port = hba.ports().get(0);
            AtaCommandException e = assertThrows(AtaCommandException.class,
                    () -> port.transfer(false, 1990, ByteBuffer.allocate(32 * 512)));
            assertTrue(e.getMessage().contains("port 0: READ DMA EXT, LBA 1990..2021 (32 sectors) failed"),
                    e.getMessage());
            assertTrue((e.status() & 0x01) != 0, "ATA status has ERR");
            assertTrue(e.getMessage().contains("register history"), e.getMessage());
            assertTrue(e.getMessage().contains("recovered"), e.getMessage());
            assertEquals(PortState.READY, port.state());
            ByteBuffer after = ByteBuffer.allocate(4096);
            port.transfer(false, 0, after);
            assertArrayEquals(good, after.array(), "the port works after recovery");
            ByteBuffer retry = ByteBuffer.allocate(32 * 512);
            port.transfer(false, 1990, retry);
        }
    }
}
