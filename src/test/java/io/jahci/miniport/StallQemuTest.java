package io.jahci.miniport;

import io.jahci.fault.ControllerLostException;
import io.jahci.fault.PortException;
import io.jahci.hw.DeviceLostException;
import io.jahci.hw.qemu.QemuConfig;
import io.jahci.hw.qemu.QemuTransport;
import io.jahci.testing.Images;
import io.jahci.testing.Stall;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * QEMU stopped (SIGSTOP) for less and for more than a shortened register-access limit, during
 * bring-up, during QD32 reads and writes, and during recovery. Each request completes exactly
 * once (the port layer records a second completion as a failure), with success or a
 * ControllerLostException naming the fault; nothing hangs; nothing escapes into the port layer's
 * failure log; data written before the stall is intact on the image.
 *
 * <p>A stall is noticed by the first register access that QEMU does not answer. When QEMU stops
 * while every command is inside it and no interrupt is on its way, nothing touches a register until
 * the command timer fires; the long-stall tests therefore shorten the command timeout to the
 * register-access limit, so the stall is found within the timeout, a timer period and the limit.
 */
@Tag("qemu")
class StallQemuTest {
    private static final long LIMIT_MILLIS = 2_000;
    private static final int IMAGE_BYTES = 32 << 20;
    /** The data written and flushed before each stall: the first MiB. */
    private static final int BEFORE_BYTES = 1 << 20;
    /** The load runs above it. */
    private static final long LOAD_LBA = BEFORE_BYTES / 512;

    @TempDir
    Path dir;

    private Path image;
    private final byte[] before = Images.random(13, BEFORE_BYTES);

    private QemuTransport open(long limitMillis) throws Exception {
        image = Images.create(dir, "stall.img", IMAGE_BYTES);
        return QemuTransport.open(QemuConfig.fromEnvironment(List.of(image.toString())).withReplyTimeoutMillis(limitMillis));
    }

    /** Defaults, with commands timing out after the register-access limit. */
    private static AhciHba.Config commandsTimingOutAtTheLimit() {
        AhciHba.Config defaults = AhciHba.Config.defaults();
        return defaults.withPorts(defaults.ports().withTimeouts(defaults.ports().timeouts().withCommandMillis(LIMIT_MILLIS)));
    }

    private void writeBefore(AhciPort port) throws PortException {
        port.io().transfer(true, 0, ByteBuffer.wrap(before.clone()));
        port.io().flush();
    }

    /** Every request ended, each with success or a lost-controller failure; returns how many were lost. */
    private static int settled(List<CompletableFuture<Void>> requests) throws Exception {
        int lost = 0;
        for (CompletableFuture<Void> f : requests) {
            try {
                f.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertInstanceOf(ControllerLostException.class, e.getCause(), e.getCause().toString());
                assertTrue(e.getCause().getMessage().contains("the controller is lost (QEMU stopped answering"),
                        e.getCause().getMessage());
                assertTrue(e.getCause().getMessage().contains("port 0"), e.getCause().getMessage());
                lost++;
            }
        }
        return lost;
    }

    private static void awaitLost(AhciHba hba, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!hba.loss().isLost() && System.nanoTime() - deadline < 0) {
            Thread.sleep(20);
        }
        assertTrue(hba.loss().isLost(), "the controller was found lost within " + millis + " ms");
    }

    @Test
    void aStallLongerThanTheLimitDuringQd32IoFailsEachRequestOnceAsLost() throws Exception {
        try (QemuTransport qemu = open(LIMIT_MILLIS)) {
            AhciHba hba = AhciHba.open(qemu, commandsTimingOutAtTheLimit());
            try {
                AhciPort port = hba.ports().get(0);
                assertEquals(32, port.queueDepth());
                writeBefore(port);
                QueueLoad load = new QueueLoad(port, LOAD_LBA, 2048);
                load.awaitCompleted(200, 60);
                try (Stall stall = Stall.of(qemu.qemuPid())) {
                    awaitLost(hba, 4 * LIMIT_MILLIS);
                }
                List<CompletableFuture<Void>> requests = load.stop();
                int lost = settled(requests);
                assertTrue(lost > 0, "requests in flight at the stall failed as lost");
                if (load.refused() != null) {
                    assertInstanceOf(ControllerLostException.class, load.refused(), "a later submit was refused as lost");
                }
                long start = System.nanoTime();
                assertThrows(ControllerLostException.class, () -> port.io().submit(false, 0, ByteBuffer.allocate(4096)));
                assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(LIMIT_MILLIS),
                        "a new request fails without a register access (one would wait the whole limit)");
                assertEquals(List.of(), hba.portLayerFailures(), "no request completed twice, no exception escaped");
            } finally {
                hba.close();
            }
            assertEquals(List.of(), hba.portLayerFailures());
        }
        assertArrayEquals(before, Images.read(image, 0, BEFORE_BYTES), "data written before the stall is intact");
    }

    @Test
    void aStallShorterThanTheLimitDuringQd32IoIsSurvivedWithDataIntact() throws Exception {
        try (QemuTransport qemu = open(4 * LIMIT_MILLIS)) {
            try (AhciHba hba = AhciHba.open(qemu, AhciHba.Config.defaults())) {
                AhciPort port = hba.ports().get(0);
                writeBefore(port);
                QueueLoad load = new QueueLoad(port, LOAD_LBA, 2048);
                load.awaitCompleted(200, 60);
                try (Stall stall = Stall.of(qemu.qemuPid())) {
                    Thread.sleep(LIMIT_MILLIS); // half the limit: QEMU must be stopped for a while to mean anything
                }
                load.awaitCompleted(load.completed() + 200, 60);
                List<CompletableFuture<Void>> requests = load.stop();
                assertEquals(0, settled(requests), "no request failed");
                assertFalse(hba.loss().isLost());
                ByteBuffer back = ByteBuffer.allocate(BEFORE_BYTES);
                port.io().transfer(false, 0, back);
                assertArrayEquals(before, back.array(), "data written before the stall reads back intact");
                ByteBuffer written = ByteBuffer.allocate(4096);
                port.io().transfer(false, LOAD_LBA, written);
                for (int i = 0; i < 4096; i++) {
                    assertEquals((byte) LOAD_LBA, written.get(i), "a write of the load reads back");
                }
                assertEquals(List.of(), hba.portLayerFailures());
            }
        }
    }

    @Test
    void aStallLongerThanTheLimitDuringBringUpFailsItNamingTheFault() throws Exception {
        try (QemuTransport qemu = open(1_000)) {
            DeviceLostException e;
            try (Stall stall = Stall.of(qemu.qemuPid())) {
                long start = System.nanoTime();
                e = assertThrows(DeviceLostException.class, () -> AhciHba.open(qemu, AhciHba.Config.defaults()).close());
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "bring-up gave up within seconds");
            }
            assertTrue(e.getMessage().contains("QEMU stopped answering"), e.getMessage());
        }
    }

    @Test
    void aStallShorterThanTheLimitDuringBringUpIsSurvived() throws Exception {
        try (QemuTransport qemu = open(4 * LIMIT_MILLIS)) {
            CompletableFuture<AhciHba> opening = new CompletableFuture<>();
            Thread opener = new Thread(() -> {
                try {
                    opening.complete(AhciHba.open(qemu, AhciHba.Config.defaults()));
                } catch (Throwable e) {
                    opening.completeExceptionally(e);
                }
            }, "opener");
            try (Stall stall = Stall.of(qemu.qemuPid())) {
                opener.start();
                Stall.awaitParkedIn(opener, "QtestConnection.exchange", 10);
                assertFalse(opening.isDone(), "bring-up waits for QEMU's reply while QEMU is stopped");
                Thread.sleep(LIMIT_MILLIS); // the stall lasts half the limit: long enough to mean something
            }
            try (AhciHba hba = opening.get(60, TimeUnit.SECONDS)) {
                AhciPort port = hba.ports().get(0);
                assertEquals(PortState.READY, port.state());
                writeBefore(port);
            }
        }
        assertArrayEquals(before, Images.read(image, 0, BEFORE_BYTES));
    }

    /**
     * Recovery is seen at its COMRESET (its write of PxSCTL.DET=1 held in a spy of the register window)
     * before QEMU stops; the write then goes to the stopped QEMU: the stall is inside recovery, by
     * observation.
     */
    @Test
    void aStallLongerThanTheLimitDuringRecoveryFailsEachRequestOnceAsLost() throws Exception {
        try (QemuTransport qemu = open(LIMIT_MILLIS)) {
            java.util.concurrent.atomic.AtomicBoolean holdComreset = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.CountDownLatch atComreset = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            io.jahci.hw.Transport transport = org.mockito.Mockito.spy(qemu);
            io.jahci.hw.RegisterWindow abar = org.mockito.Mockito.spy(qemu.abar());
            org.mockito.Mockito.doReturn(abar).when(transport).abar();
            org.mockito.Mockito.doAnswer(inv -> {
                int offset = inv.getArgument(0);
                int value = inv.getArgument(1);
                if (offset == io.jahci.ahci.PortRegister.SCTL.offset(0)
                        && io.jahci.ahci.PortSctl.DET.get(value) == io.jahci.ahci.PortSctl.DET_COMRESET
                        && holdComreset.compareAndSet(true, false)) {
                    atComreset.countDown();
                    assertTrue(release.await(30, TimeUnit.SECONDS), "the test released the COMRESET");
                }
                return inv.callRealMethod();
            }).when(abar).write32(org.mockito.ArgumentMatchers.anyInt(), org.mockito.ArgumentMatchers.anyInt());
            AhciHba hba = AhciHba.open(transport, commandsTimingOutAtTheLimit());
            try {
                AhciPort port = hba.ports().get(0);
                writeBefore(port);
                QueueLoad load = new QueueLoad(port, LOAD_LBA, 2048);
                load.awaitCompleted(200, 60);
                holdComreset.set(true);
                port.channel().reset(); // IdeHwReset: recovery takes the slots and COMRESETs the port
                assertTrue(atComreset.await(30, TimeUnit.SECONDS), "recovery reached its COMRESET");
                assertEquals(PortState.RECOVERING, port.state(), "recovery is running");
                try (Stall stall = Stall.of(qemu.qemuPid())) {
                    release.countDown(); // the COMRESET's write now meets the stopped QEMU
                    awaitLost(hba, 4 * LIMIT_MILLIS);
                }
                assertTrue(settled(load.stop()) > 0, "requests held by recovery failed as lost");
                assertEquals(List.of(), hba.portLayerFailures(), "no request completed twice, no exception escaped");
            } finally {
                release.countDown();
                hba.close();
            }
        }
        assertArrayEquals(before, Images.read(image, 0, BEFORE_BYTES), "data written before the stall is intact");
    }
}
