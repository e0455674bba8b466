package io.jahci.hw.qemu;

import io.jahci.hw.DeviceLostException;
import io.jahci.testing.Images;
import io.jahci.testing.Stall;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * QEMU stopped with SIGSTOP, for less and for more than the register-access limit: a short stall
 * only delays the access; a long one loses the connection for good, so a late reply to the
 * given-up command can never be taken as the answer to a later one.
 */
@Tag("qemu")
class QtestStallTest {
    private static final int CAP = 0x00;
    private static final int QEMU_CAP = 0xc0141f05;

    @TempDir
    Path dir;

    private QemuTransport open(long replyTimeoutMillis) throws Exception {
        Path image = Images.create(dir, "s.img", 1 << 20);
        return QemuTransport.open(QemuConfig.fromEnvironment(List.of(image.toString()))
                .withReplyTimeoutMillis(replyTimeoutMillis));
    }

    @Test
    void aStallShorterThanTheLimitOnlyDelaysTheAccess() throws Exception {
        try (QemuTransport t = open(5_000)) {
            CompletableFuture<Integer> read = new CompletableFuture<>();
            Thread reader = new Thread(() -> read.complete(t.abar().read32(CAP)), "stalled-read");
            try (Stall stall = Stall.of(t.qemuPid())) {
                reader.start();
                Stall.awaitParkedIn(reader, "QtestConnection.exchange", 10);
                assertFalse(read.isDone(), "the read waits for QEMU's reply while QEMU is stopped");
            }
            assertEquals(QEMU_CAP, read.get(10, TimeUnit.SECONDS));
            assertEquals(0x3f, t.abar().read32(0x0c), "the connection still pairs commands and replies");
        }
    }

    @Test
    void aStallLongerThanTheLimitLosesTheConnectionForGood() throws Exception {
        try (QemuTransport t = open(1_000)) {
            DeviceLostException timedOut;
            try (Stall stall = Stall.of(t.qemuPid())) {
                // A write of 0 to HBA IS (write-1-to-clear) changes nothing when it lands late.
                timedOut = assertThrows(DeviceLostException.class, () -> t.abar().write32(0x08, 0));
            }
            assertTrue(timedOut.getMessage().contains("did not answer 'writel' within 1000 ms"), timedOut.getMessage());
            // QEMU runs again and answers the given-up write late: that OK must pair with nothing. The read
            // below fails whether or not the late OK has arrived yet: the connection is given up for good.
            long start = System.nanoTime();
            DeviceLostException after = assertThrows(DeviceLostException.class, () -> t.abar().read32(CAP));
            assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(1_000),
                    "failed without waiting for a reply (a wait takes the whole 1000 ms limit)");
            assertTrue(after.getMessage().contains("did not answer 'writel'"), after.getMessage());
        }
    }
}
