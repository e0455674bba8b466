package io.jahci.miniport;

import io.jahci.hw.qemu.QemuConfig;
import io.jahci.hw.qemu.QemuTransport;
import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** Deep queues against QEMU: many submitters at queue depth 32, verified, NCQ seen in QEMU's trace. */
@Tag("qemu")
class QueueQemuTest {
    private static final int THREADS = 8;
    private static final int LANES = 4;
    private static final int LANE_SECTORS = 256;
    private static final int OPERATIONS_PER_LANE = 40;

    @TempDir
    Path dir;

    @Test
    void manySubmittersAtQueueDepth32KeepEveryRequestAndEveryByte() throws Exception {
        int sectors = THREADS * LANES * LANE_SECTORS;
        Path image = Images.create(dir, "q.img", sectors * 512L);
        byte[] model = Images.random(41, sectors * 512);
        Images.write(image, 0, model);
        Path trace = dir.resolve("trace.log");
        Path events = dir.resolve("events");
        Files.writeString(events, "process_ncq_command*\nexecute_ncq_command*\nahci_populate_sglist_*\n"
                + "ahci_dma_prepare_buf_fail\n");
        QemuConfig config = QemuConfig.fromEnvironment(List.of(image.toString())).withExtraArgs(List.of(
                "-trace", "events=" + events + ",file=" + trace));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long commandsBefore;
        AhciPort port;
        try (QemuTransport t = QemuTransport.open(config); AhciHba hba = AhciHba.open(t, AhciHba.Config.defaults())) {
            port = hba.ports().get(0);
            assertTrue(port.usesNcq());
            assertEquals(32, port.queueDepth());
            commandsBefore = port.counters().commandsIssued();
            List<Thread> threads = new ArrayList<>();
            for (int n = 0; n < THREADS; n++) {
                int thread = n;
                threads.add(new Thread(() -> {
                    try {
                        exercise(port, thread, model);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "submitter-" + n));
            }
            threads.forEach(Thread::start);
            for (Thread th : threads) {
                th.join(120_000);
                assertFalse(th.isAlive(), th.getName() + " finished");
            }
            if (failure.get() != null) {
                throw new AssertionError("a submitter failed", failure.get());
            }
            port.io().flush();
            assertEquals(List.of(), hba.portLayerFailures());
            long issued = port.counters().commandsIssued() - commandsBefore;
            assertEquals(THREADS * LANES * OPERATIONS_PER_LANE + 1, issued, "every request is one command, plus FLUSH");
        }
        assertArrayEquals(model, Files.readAllBytes(image), "the image holds exactly what was written");
        String log = Files.readString(trace);
        long ncqCommands = log.lines().filter(l -> l.contains("process_ncq_command ")).count();
        assertTrue(ncqCommands >= THREADS * LANES * OPERATIONS_PER_LANE, "QEMU saw NCQ commands: " + ncqCommands);
        for (String malformed : new String[] {"process_ncq_command_mismatch", "execute_ncq_command_unsup",
                "ahci_populate_sglist_no_prdtl", "ahci_populate_sglist_no_map", "ahci_populate_sglist_short_map",
                "ahci_populate_sglist_bad_offset", "ahci_dma_prepare_buf_fail"}) {
            assertFalse(log.contains(malformed), malformed + " in QEMU's trace");
        }
    }

    /**
     * One submitter: {@link #LANES} lanes of its own region, each with one asynchronous request
     * in flight at a time (so 8 threads x 4 lanes = 32 in flight), random reads and writes of
     * random lengths checked against the model.
     */
    private static void exercise(AhciPort port, int thread, byte[] model) throws Exception {
        Random random = new Random(thread);
        CompletableFuture<?>[] inFlight = new CompletableFuture<?>[LANES];
        ByteBuffer[] buffers = new ByteBuffer[LANES];
        long[] expectedAt = new long[LANES];
        for (int op = 0; op < OPERATIONS_PER_LANE; op++) {
            for (int lane = 0; lane < LANES; lane++) {
                if (inFlight[lane] != null) {
                    inFlight[lane].get();
                    check(buffers[lane], expectedAt[lane], model);
                }
                long base = (long) (thread * LANES + lane) * LANE_SECTORS;
                int count = 1 + random.nextInt(64);
                long lba = base + random.nextInt(LANE_SECTORS - count + 1);
                ByteBuffer buffer = ByteBuffer.allocate(count * 512);
                if (random.nextBoolean()) {
                    random.nextBytes(buffer.array());
                    System.arraycopy(buffer.array(), 0, model, (int) lba * 512, buffer.capacity());
                    inFlight[lane] = port.io().submit(true, lba, buffer);
                    buffers[lane] = null;
                } else {
                    inFlight[lane] = port.io().submit(false, lba, buffer);
                    buffers[lane] = buffer;
                    expectedAt[lane] = lba;
                }
            }
        }
        for (int lane = 0; lane < LANES; lane++) {
            inFlight[lane].get();
            check(buffers[lane], expectedAt[lane], model);
        }
    }

    private static void check(ByteBuffer read, long lba, byte[] model) {
        if (read == null) {
            return;
        }
        byte[] expected = new byte[read.capacity()];
        System.arraycopy(model, (int) lba * 512, expected, 0, expected.length);
        assertArrayEquals(expected, read.array(), "read at LBA " + lba);
    }
}
