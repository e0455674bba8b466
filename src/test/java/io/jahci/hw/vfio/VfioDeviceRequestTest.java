package io.jahci.hw.vfio;

import io.jahci.platform.EventFd;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The device-request watcher on a plain eventfd, signalled as vfio-pci signals it (the kernel
 * repeats the signal until the device fd is closed): the listener runs once; closing without a
 * request never runs it.
 */
class VfioDeviceRequestTest {
    @Test
    void theKernelsRequestRunsTheListenerOnceEvenWhenRepeated() throws Exception {
        EventFd fd = EventFd.create();
        VfioDeviceRequest request = new VfioDeviceRequest("0000:00:05.0", fd);
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch called = new CountDownLatch(1);
        request.onRequest(() -> {
            calls.incrementAndGet();
            called.countDown();
        });
        fd.signal();
        assertTrue(called.await(10, TimeUnit.SECONDS), "the listener ran");
        fd.signal(); // vfio-pci asks again while the device is not released yet
        assertTrue(request.requested());
        request.close();
        assertEquals(1, calls.get());
    }

    @Test
    void aRequestBeforeTheListenerIsSetIsNotLost() throws Exception {
        EventFd fd = EventFd.create();
        VfioDeviceRequest request = new VfioDeviceRequest("0000:00:05.0", fd);
        fd.signal();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!request.requested() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        AtomicInteger calls = new AtomicInteger();
        request.onRequest(calls::incrementAndGet);
        assertEquals(1, calls.get(), "set after the request came, the listener runs at once");
        request.close();
    }

    @Test
    void closingWithoutARequestNeverCallsTheListener() throws Exception {
        EventFd fd = EventFd.create();
        VfioDeviceRequest request = new VfioDeviceRequest("0000:00:05.0", fd);
        AtomicInteger calls = new AtomicInteger();
        request.onRequest(calls::incrementAndGet);
        request.close(); // wakes the watcher through the same eventfd: not the kernel's request
        assertFalse(request.requested());
        assertEquals(0, calls.get());
    }
}
