package io.jahci.miniport;

import io.jahci.fault.PortException;
import io.jahci.hw.qemu.QemuConfig;
import io.jahci.hw.qemu.QemuTransport;
import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import io.jahci.testing.Throttle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** A drive slowed by QEMU's I/O throttling (set over QMP) makes commands time out; the port recovers. */
@Tag("qemu")
class TimeoutQemuTest {
    @TempDir
    Path dir;

    @Test
    void commandsPastTheirDeadlineFailWithATimeoutAndLaterCommandsWork() throws Exception {
        Path image = Images.create(dir, "slow.img", 8 << 20);
        byte[] contents = Images.random(51, 8 << 20);
        Images.write(image, 0, contents);
        Timeouts quick = Timeouts.DEFAULT.withCommandMillis(500);
        try (QemuTransport t = QemuTransport.open(QemuConfig.fromEnvironment(List.of(image.toString())));
             AhciHba hba = AhciHba.open(t, AhciHba.Config.defaults().withPorts(AhciPortOptions.DEFAULT.withTimeouts(quick)))) {
            AhciPort port = hba.ports().get(0);
            Throttle.iops(t, 1);
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            List<ByteBuffer> buffers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ByteBuffer b = ByteBuffer.allocate(4096);
                buffers.add(b);
                futures.add(port.io().submit(false, 100L * i, b));
            }
            int timedOut = 0;
            for (int i = 0; i < futures.size(); i++) {
                try {
                    futures.get(i).get(20, TimeUnit.SECONDS);
                    byte[] expected = new byte[4096];
                    System.arraycopy(contents, 100 * i * 512, expected, 0, 4096);
                    assertArrayEquals(expected, buffers.get(i).array(), "a read that made it in time is correct");
                } catch (ExecutionException e) {
                    assertInstanceOf(PortException.class, e.getCause());
                    assertTrue(e.getCause().getMessage().contains("did not complete within 500 ms"), e.getCause().getMessage());
                    timedOut++;
                }
            }
            assertTrue(timedOut >= 1, "with 1 I/O per second, 4 reads cannot all finish in 500 ms");
            assertTrue(port.history().contains("TIMEOUT"), port.history());
            assertTrue(port.history().contains("COMRESET"), "a timed-out port is reset: " + port.history());

            Throttle.iops(t, 0);
            ByteBuffer later = ByteBuffer.allocate(8192);
            port.io().transfer(false, 7000, later);
            byte[] expected = new byte[8192];
            System.arraycopy(contents, 7000 * 512, expected, 0, 8192);
            assertArrayEquals(expected, later.array());
            assertEquals(PortState.READY, port.state());
        }
    }
}
