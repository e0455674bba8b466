package io.jahci.miniport;

import io.jahci.fault.AtaCommandException;
import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Real device errors from QEMU (blkdebug), queued and non-queued: nothing lost, nothing twice. */
@Tag("qemu")
class ErrorRecoveryQemuTest {
    /** Bounds every wait for a request: a request the port lost fails the test instead of hanging it. */
    private static final long WAIT_SECONDS = 60;

    private static final int BAD_SECTOR = 2000;

    @TempDir
    Path dir;

    private Path image;
    private byte[] contents;

    private String faultyImage(String event, boolean once) throws Exception {
        image = Images.create(dir, "disk.img", 8 << 20);
        contents = Images.random(31, 8 << 20);
        Images.write(image, 0, contents);
        Path rules = dir.resolve("rules.conf");
        Files.writeString(rules, "[inject-error]\nevent = \"" + event + "\"\nerrno = \"5\"\nsector = \"" + BAD_SECTOR
                + "\"\n" + (once ? "once = \"on\"\n" : ""));
        return "blkdebug:" + rules + ":" + image;
    }

    private byte[] expected(long lba, int sectors) {
        byte[] out = new byte[sectors * 512];
        System.arraycopy(contents, (int) lba * 512, out, 0, out.length);
        return out;
    }

    @ParameterizedTest(name = "SyncWithIsr {0}")
    @ValueSource(booleans = {true, false})
    void aTransientErrorOnAQueuedReadIsRetriedAloneAndSucceeds(boolean syncWithIsr) throws Exception {
        AhciHba hba = QemuHba.open(faultyImage("read_aio", true), AhciHba.Config.defaults().withSyncWithIsr(syncWithIsr));
        try {
            AhciPort port = hba.ports().get(0);
            assertTrue(port.usesNcq());
            ByteBuffer buffer = ByteBuffer.allocate(32 * 512);
            port.io().transfer(false, 1990, buffer);
            assertArrayEquals(expected(1990, 32), buffer.array());
            assertTrue(port.counters().commandsRetried() >= 1, "the failed command was retried alone");
            assertTrue(port.history().contains("RECOVERED"), port.history());
        } finally {
            QemuHba.close(hba);
        }
    }

    @Test
    void aPersistentErrorFailsOnlyTheCommandThatCoversItWhileOthersInFlightComplete() throws Exception {
        AhciHba hba = QemuHba.open(faultyImage("read_aio", false), AhciHba.Config.defaults());
        try {
            AhciPort port = hba.ports().get(0);
            assertEquals(32, port.queueDepth());
            long[] lbas = {100, 300, 500, 700, 1996, 900, 1100, 1300, 1500, 1700, 3000, 4000};
            List<ByteBuffer> buffers = new ArrayList<>();
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (long lba : lbas) {
                ByteBuffer b = ByteBuffer.allocate(8 * 512);
                buffers.add(b);
                futures.add(port.io().submit(false, lba, b));
            }
            for (int i = 0; i < lbas.length; i++) {
                if (lbas[i] == 1996) {
                    int index = i;
                    ExecutionException e = assertThrows(ExecutionException.class,
                            () -> futures.get(index).get(WAIT_SECONDS, TimeUnit.SECONDS));
                    AtaCommandException failure = assertInstanceOf(AtaCommandException.class, e.getCause());
                    assertEquals(1996, failure.lba());
                    assertEquals(8, failure.sectors());
                    assertTrue((failure.status() & 0x01) != 0, "ERR in the ATA status");
                    assertTrue(failure.getMessage().contains("LBA 1996..2003 (8 sectors) failed"), failure.getMessage());
                } else {
                    futures.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS);
                    assertArrayEquals(expected(lbas[i], 8), buffers.get(i).array(), "LBA " + lbas[i]);
                }
            }
            ByteBuffer after = ByteBuffer.allocate(4096);
            port.io().transfer(false, 5000, after);
            assertArrayEquals(expected(5000, 8), after.array(), "the port works after recovery");
            assertEquals(PortState.READY, port.state());
        } finally {
            QemuHba.close(hba);
        }
    }

    @Test
    void anErrorOnTheOnlyNonQueuedCommandIsReportedWithoutRetry() throws Exception {
        AhciHba hba = QemuHba.open(faultyImage("read_aio", true),
                AhciHba.Config.defaults().withPorts(AhciPortOptions.DEFAULT.withNcq(false)));
        try {
            AhciPort port = hba.ports().get(0);
            assertFalse(port.usesNcq());
            assertEquals(1, port.queueDepth());
            AtaCommandException e = assertThrows(AtaCommandException.class,
                    () -> port.io().transfer(false, 1990, ByteBuffer.allocate(32 * 512)));
            assertTrue(e.getMessage().contains("READ DMA EXT, LBA 1990..2021 (32 sectors) failed"), e.getMessage());
            assertTrue(e.getMessage().contains("recovered"), e.getMessage());
            assertEquals(0, port.counters().commandsRetried());
            ByteBuffer retry = ByteBuffer.allocate(32 * 512);
            port.io().transfer(false, 1990, retry);
            assertArrayEquals(expected(1990, 32), retry.array(), "the error was injected once");
        } finally {
            QemuHba.close(hba);
        }
    }

    @ParameterizedTest(name = "NCQ {0}")
    @ValueSource(booleans = {true, false})
    void aPersistentWriteErrorFailsTheWriteAndLeavesOtherSectorsWritten(boolean ncq) throws Exception {
        AhciHba hba = QemuHba.open(faultyImage("write_aio", false),
                AhciHba.Config.defaults().withPorts(AhciPortOptions.DEFAULT.withNcq(ncq)));
        try {
            AhciPort port = hba.ports().get(0);
            byte[] good = Images.random(32, 4096);
            CompletableFuture<Void> ok = port.io().submit(true, 100, ByteBuffer.wrap(good));
            CompletableFuture<Void> bad = port.io().submit(true, BAD_SECTOR - 2, ByteBuffer.wrap(Images.random(33, 4096)));
            ok.get(WAIT_SECONDS, TimeUnit.SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(WAIT_SECONDS, TimeUnit.SECONDS));
            AtaCommandException failure = assertInstanceOf(AtaCommandException.class, e.getCause());
            assertEquals(BAD_SECTOR - 2, failure.lba());
            port.io().flush();
            assertArrayEquals(good, Images.read(image, 100 * 512L, 4096));
        } finally {
            QemuHba.close(hba);
        }
    }
}
