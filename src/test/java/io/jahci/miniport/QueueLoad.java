package io.jahci.miniport;

import io.jahci.fault.PortException;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Keeps a port busy for fault tests: one thread submits 4 KiB reads and writes (alternating) at
 * LBAs from {@code firstLba} on, up to the port's queue depth in flight, until stopped or until a
 * submit is refused. Each write carries its LBA in every byte, so a read of it can be checked.
 */
final class QueueLoad {
    private final AhciPort port;
    private final long firstLba;
    private final int span;
    private final List<CompletableFuture<Void>> requests = new CopyOnWriteArrayList<>();
    private final AtomicLong completed = new AtomicLong();
    private final Thread thread;
    private volatile boolean stop;
    private volatile Exception refused;

    QueueLoad(AhciPort port, long firstLba, int span) {
        this.port = port;
        this.firstLba = firstLba;
        this.span = span;
        this.thread = new Thread(this::run, "queue-load");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long n = 0;
        while (!stop) {
            long lba = firstLba + (n % span) * 8;
            boolean write = (n & 1) == 0;
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            if (write) {
                for (int i = 0; i < 4096; i++) {
                    buffer.put(i, (byte) lba);
                }
            }
            try {
                CompletableFuture<Void> f = port.io().submit(write, lba, buffer);
                f.whenComplete((ok, error) -> completed.incrementAndGet());
                requests.add(f);
            } catch (PortException e) {
                refused = e;
                return;
            }
            n++;
        }
    }

    /** Requests that completed so far (successfully or not). */
    long completed() {
        return completed.get();
    }

    /** Waits until at least {@code n} requests completed, failing after {@code seconds}. */
    void awaitCompleted(long n, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (completed.get() < n) {
            if (System.nanoTime() - deadline >= 0) {
                fail("only " + completed.get() + " of " + n + " requests completed within " + seconds + " s"
                        + (refused == null ? "" : "; a submit was refused: " + refused));
            }
            Thread.sleep(10);
        }
    }

    /** Stops submitting and waits for the thread; returns every request it submitted. */
    List<CompletableFuture<Void>> stop() throws InterruptedException {
        stop = true;
        thread.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(thread.isAlive(), "the submitting thread ended");
        return requests;
    }

    /** Why a submit was refused (the controller was lost), or null. */
    Exception refused() {
        return refused;
    }
}
