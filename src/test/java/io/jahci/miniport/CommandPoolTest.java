package io.jahci.miniport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The command pool's accounting, including across a depth change while a caller holds a
 * command (a reserved command across a disk's removal and arrival): a held command is never
 * handed out twice, and one beyond a smaller depth is retired when it comes back.
 */
class CommandPoolTest {
    private DoubleTransport transport;
    private CommandPool pool;

    @BeforeEach
    void open() throws Exception {
        transport = new DoubleTransport();
        pool = new CommandPool(transport, AhciPortOptions.DEFAULT.withBufferBytesPerCommand(4096), request -> { });
    }

    @AfterEach
    void close() {
        pool.releaseMemory();
        transport.close();
    }

    /** Starts a thread that acquires a command, and waits until it is seen blocked in acquire. */
    private Thread blockedAcquirer(AtomicReference<AhciCommand> got) throws InterruptedException {
        Thread t = new Thread(() -> {
            try {
                got.set(pool.acquire());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "acquirer");
        t.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.WAITING) {
            assertTrue(t.isAlive(), "the acquirer returned instead of waiting: " + got.get());
            assertTrue(System.nanoTime() - deadline < 0, "the acquirer never waited: " + t.getState());
            Thread.onSpinWait();
        }
        return t;
    }

    @Test
    void aCommandHeldAcrossADepthChangeIsNotHandedOutAgain() throws Exception {
        pool.setDepth(4);
        AhciCommand held = pool.acquire();
        assertEquals(0, held.index);
        pool.setDepth(4); // a disk arrived again while a caller still holds command 0
        assertEquals(1, pool.taken());
        assertEquals(1, pool.acquire().index);
        assertEquals(2, pool.acquire().index);
        assertEquals(3, pool.acquire().index);
        AtomicReference<AhciCommand> got = new AtomicReference<>();
        Thread waiter = blockedAcquirer(got);
        pool.release(held);
        waiter.join(10_000);
        assertFalse(waiter.isAlive(), "the waiter still waits after the command was given back");
        assertSame(held, got.get(), "the waiter gets the command given back");
        assertEquals(4, pool.taken());
    }

    @Test
    void aHeldCommandBeyondASmallerDepthIsRetiredWhenGivenBack() throws Exception {
        pool.setDepth(4);
        AhciCommand[] c = {pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()};
        pool.release(c[0]);
        pool.release(c[1]);
        pool.release(c[2]);
        pool.setDepth(2); // command 3 is still held
        pool.release(c[3]);
        assertEquals(0, pool.taken());
        assertEquals(0, pool.acquire().index);
        assertEquals(1, pool.acquire().index);
        AtomicReference<AhciCommand> got = new AtomicReference<>();
        Thread waiter = blockedAcquirer(got);
        assertNull(got.get(), "no third command at depth 2");
        waiter.interrupt();
        waiter.join(10_000);
        assertFalse(waiter.isAlive(), "the interrupted waiter still waits");
        assertNull(got.get());
    }

    @Test
    void givingACommandBackTwiceIsAnError() throws Exception {
        pool.setDepth(2);
        AhciCommand c = pool.acquire();
        pool.release(c);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.release(c));
        assertTrue(e.getMessage().contains("given back twice"), e.getMessage());
        assertEquals(0, pool.taken());
    }
}
