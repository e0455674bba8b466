package io.jahci.ataport;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SpinLock's own contract, which the poller relies on when it skips a busy round: tryLock never
 * takes a lock another thread holds, and only the owner releases it.
 */
class SpinLockTest {
    @Test
    void tryLockRefusesALockAnotherThreadHoldsAndTakesAFreeOne() throws Exception {
        SpinLock lock = new SpinLock("channel lock of the test");
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread owner = new Thread(() -> {
            try {
                lock.lock();
                held.countDown();
                assertTrue(release.await(30, TimeUnit.SECONDS), "the test never let the owner go");
                lock.unlock();
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "test-owner");
        owner.start();
        assertTrue(held.await(30, TimeUnit.SECONDS), "the owner never took the lock");
        assertFalse(lock.tryLock(), "tryLock took a lock test-owner holds");
        assertFalse(lock.isHeldByCurrentThread());
        IllegalStateException e = assertThrows(IllegalStateException.class, lock::unlock);
        assertTrue(e.getMessage().contains("which does not hold it"), e.getMessage());
        release.countDown();
        owner.join(30_000);
        assertFalse(owner.isAlive(), "the owner did not finish");
        assertNull(failed.get());
        assertTrue(lock.tryLock(), "tryLock of a free lock");
        assertTrue(lock.isHeldByCurrentThread());
        lock.unlock();
    }
}
