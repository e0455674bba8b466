package io.jahci.nbd;

import io.jahci.disk.Controller;
import io.jahci.disk.DeviceSpec;
import io.jahci.disk.OpenOptions;
import io.jahci.testing.Images;
import io.jahci.testing.Leftovers;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static io.jahci.nbd.NbdProtocol.*;
import static org.junit.jupiter.api.Assertions.*;

/** A device error on one request is that request's EIO (with the ATA status in the log); the others go on. */
@Tag("qemu")
class NbdDeviceErrorQemuTest {
    private static final int BAD_SECTOR = 2000;

    @TempDir
    Path dir;

    @Test
    void aFailedReadIsEioAtItsOffsetAndTheNextRequestsSucceed() throws Exception {
        Path image = Images.create(dir, "bad.img", 4 << 20);
        byte[] good = Images.random(5, 64 << 10);
        Images.write(image, 0, good);
        Path rules = dir.resolve("rules.conf");
        Files.writeString(rules, "[inject-error]\nevent = \"read_aio\"\nerrno = \"5\"\nsector = \"" + BAD_SECTOR + "\"\n");
        StringWriter log = new StringWriter();
        Path socket = dir.resolve("s");
        try (Controller c = Controller.open(DeviceSpec.parse("qemu:blkdebug:" + rules + ":" + image),
                OpenOptions.readWrite())) {
            NbdServer server = new NbdServer(List.of(new NbdExport(c.disk(0), List.of("port0"), true)),
                    new PrintWriter(log, true));
            server.listenUnix(socket);
            server.start();
            try (RawClient structured = RawClient.connect(socket).open("port0", true);
                 RawClient simple = RawClient.connect(socket).open("port0", false)) {
                structured.request(0, CMD_READ, 1, (BAD_SECTOR - 8) * 512L, 16 * 512);
                RawClient.Reply failed = structured.reply(0);
                assertEquals(1, failed.handle());
                assertEquals(EIO, failed.error(), "an ERROR_OFFSET chunk with EIO");
                simple.request(0, CMD_READ, 2, BAD_SECTOR * 512L, 512);
                assertEquals(EIO, simple.reply(512).error(), "a simple reply with EIO and no data");
                structured.request(0, CMD_READ, 3, 0, good.length);
                assertArrayEquals(good, structured.reply(0).data(), "the port recovered; the next read is served");
                simple.request(0, CMD_READ, 4, 4096, 512);
                assertArrayEquals(Arrays.copyOfRange(good, 4096, 4608), simple.reply(512).data());
            } finally {
                assertTrue(server.shutdown());
            }
        }
        String lines = log.toString();
        assertTrue(lines.contains("READ offset " + (BAD_SECTOR - 8) * 512L + " length 8192 failed, replying EIO"), lines);
        assertTrue(lines.contains("ATA status 0x41"), "the ATA status: " + lines);
        assertTrue(lines.contains("register history"), "the register history: " + lines);
        Leftovers.assertNone();
    }
}
