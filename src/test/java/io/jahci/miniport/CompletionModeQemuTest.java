package io.jahci.miniport;

import io.jahci.ataport.CompletionMode;
import io.jahci.fault.AtaCommandException;
import io.jahci.hw.qemu.QemuConfig;
import io.jahci.hw.qemu.QemuTransport;
import io.jahci.testing.Images;
import io.jahci.testing.Throttle;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every completion mode against QEMU's AHCI: data integrity at queue depth 1..32 (caller-polled
 * synchronous and poller-watched asynchronous I/O), blkdebug errors recovered with completion
 * interrupts masked, and timeouts.
 */
@Tag("qemu")
class CompletionModeQemuTest {
    private static final int BAD_SECTOR = 2000;

    @TempDir
    Path dir;

    private static AhciHba.Config config(CompletionMode mode, AhciPortOptions ports) {
        AhciHba.Config c = AhciHba.Config.defaults().withPorts(ports);
        c.driver().completionMode(mode);
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(CompletionMode.class)
    void everyByteArrivesAtQueueDepthsOneToThirtyTwoSynchronousAndAsynchronous(CompletionMode mode) throws Exception {
        Path image = Images.create(dir, "disk.img", 8 << 20);
        AhciHba hba = QemuHba.open(image.toString(), config(mode, AhciPortOptions.DEFAULT));
        try {
            AhciPort port = hba.ports().get(0);
            assertEquals(mode, port.channel().polling().mode());
            byte[] model = Images.random(7, 8 << 20);
            for (int qd : new int[] {1, 4, 32}) {
                List<CompletableFuture<Void>> writes = new ArrayList<>();
                for (int i = 0; i < qd; i++) {
                    long lba = qd * 256L + i * 8L;
                    writes.add(port.io().submit(true, lba, ByteBuffer.wrap(model, (int) lba * 512, 4096)));
                }
                for (CompletableFuture<Void> w : writes) {
                    w.get(30, TimeUnit.SECONDS);
                }
                List<CompletableFuture<Void>> reads = new ArrayList<>();
                List<ByteBuffer> buffers = new ArrayList<>();
                for (int i = 0; i < qd; i++) {
                    ByteBuffer b = ByteBuffer.allocate(4096);
                    buffers.add(b);
                    reads.add(port.io().submit(false, qd * 256L + i * 8L, b));
                }
                for (int i = 0; i < qd; i++) {
                    reads.get(i).get(30, TimeUnit.SECONDS);
                    long lba = qd * 256L + i * 8L;
                    assertArrayEquals(java.util.Arrays.copyOfRange(model, (int) lba * 512, (int) lba * 512 + 4096),
                            buffers.get(i).array(), mode + " QD " + qd + " LBA " + lba);
                }
            }
            for (int i = 0; i < 200; i++) {
                ByteBuffer b = ByteBuffer.allocate(512);
                long lba = 32 * 256L + (i % 32) * 8L;
                port.io().transfer(false, lba, b);
                assertArrayEquals(java.util.Arrays.copyOfRange(model, (int) lba * 512, (int) lba * 512 + 512), b.array(),
                        mode + " synchronous read " + i);
            }
            port.io().flush();
            assertEquals(PortState.READY, port.state());
        } finally {
            QemuHba.close(hba);
        }
    }

    private Path faultyImage(Path image, String event, boolean once) throws Exception {
        Path rules = dir.resolve("rules.conf");
        Files.writeString(rules, "[inject-error]\nevent = \"" + event + "\"\nerrno = \"5\"\nsector = \"" + BAD_SECTOR
                + "\"\n" + (once ? "once = \"on\"\n" : ""));
        return Path.of("blkdebug:" + rules + ":" + image);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = CompletionMode.class, names = {"HYBRID", "POLL"})
    void errorsStillInterruptAndRecoveryRetriesOrFailsExactlyTheRightCommands(CompletionMode mode) throws Exception {
        Path image = Images.create(dir, "disk.img", 8 << 20);
        byte[] contents = Images.random(31, 8 << 20);
        Images.write(image, 0, contents);
        AhciHba hba = QemuHba.open(faultyImage(image, "read_aio", true).toString(), config(mode, AhciPortOptions.DEFAULT));
        try {
            AhciPort port = hba.ports().get(0);
            ByteBuffer buffer = ByteBuffer.allocate(32 * 512);
            port.io().transfer(false, 1990, buffer);
            assertArrayEquals(java.util.Arrays.copyOfRange(contents, 1990 * 512, 2022 * 512), buffer.array());
            assertTrue(port.counters().commandsRetried() >= 1, "the failed command was retried alone: " + port.history());
        } finally {
            QemuHba.close(hba);
        }
        hba = QemuHba.open(faultyImage(image, "read_aio", false).toString(), config(mode, AhciPortOptions.DEFAULT));
        try {
            AhciPort port = hba.ports().get(0);
            CompletableFuture<Void> good = port.io().submit(false, 100, ByteBuffer.allocate(4096));
            CompletableFuture<Void> bad = port.io().submit(false, 1996, ByteBuffer.allocate(4096));
            good.get(30, TimeUnit.SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(30, TimeUnit.SECONDS));
            AtaCommandException failure = assertInstanceOf(AtaCommandException.class, e.getCause());
            assertEquals(1996, failure.lba());
            ByteBuffer after = ByteBuffer.allocate(4096);
            port.io().transfer(false, 5000, after);
            assertArrayEquals(java.util.Arrays.copyOfRange(contents, 5000 * 512, 5008 * 512), after.array());
            assertEquals(PortState.READY, port.state());
        } finally {
            QemuHba.close(hba);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = CompletionMode.class, names = {"HYBRID", "POLL"})
    void commandsPastTheirDeadlineTimeOutAndThePortRecovers(CompletionMode mode) throws Exception {
        Path image = Images.create(dir, "slow.img", 8 << 20);
        Timeouts quick = Timeouts.DEFAULT.withCommandMillis(500);
        try (QemuTransport t = QemuTransport.open(QemuConfig.fromEnvironment(List.of(image.toString())));
             AhciHba hba = AhciHba.open(t, config(mode, AhciPortOptions.DEFAULT.withTimeouts(quick)))) {
            AhciPort port = hba.ports().get(0);
            Throttle.iops(t, 1);
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                futures.add(port.io().submit(false, 100L * i, ByteBuffer.allocate(4096)));
            }
            int timedOut = 0;
            for (CompletableFuture<Void> f : futures) {
                try {
                    f.get(20, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    assertTrue(e.getCause().getMessage().contains("did not complete within 500 ms"), e.getCause().getMessage());
                    timedOut++;
                }
            }
            assertTrue(timedOut >= 1, "with 1 I/O per second, 4 reads cannot all finish in 500 ms");
            Throttle.iops(t, 0);
            port.io().transfer(false, 7000, ByteBuffer.allocate(8192));
            assertEquals(PortState.READY, port.state());
        }
    }
}
