package io.jahci.ataport;

import static io.jahci.ataport.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RequestAndTimerTest {

    @Test
    @DisplayName("Requests: StartIo busy keeps requests queued in order; they start after a completion; stop aborts the rest")
    void busyQueue() throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(false);
            AtomicReference<IoRequest> slot = new AtomicReference<>();
            List<Object> started = new CopyOnWriteArrayList<>();
            miniport.onStartIo = (ext, request) -> {
                if (!slot.compareAndSet(null, request)) {
                    return false;
                }
                started.add(request.payload());
                return true;
            };
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            List<Object> completed = new CopyOnWriteArrayList<>();
            IoCompletion done = r -> completed.add(r.payload() + ":" + r.status());
            IoRequest a = new IoRequest("a", done);
            IoRequest b = new IoRequest("b", done);
            IoRequest c = new IoRequest("c", done);
            channel.submit(a);
            channel.submit(b);
            channel.submit(c);
            assertEquals(List.of("a"), started);
            assertThrows(IllegalStateException.class, () -> channel.submit(b), "a request in flight");

            channel.completeRequest(slot.getAndSet(null), IoStatus.SUCCESS);
            Fixture.awaitTrue(() -> started.size() == 2, "b to start after a completed");
            assertEquals(List.of("a", "b"), started);
            channel.stop();
            assertEquals(List.of("a:SUCCESS", "c:ABORTED"), completed);
            assertSame(b, slot.get(), "b is still held by the miniport");
            assertThrows(IllegalStateException.class, () -> channel.submit(a), "stopped channel");
        }
    }

    /**
     * A cancelled timer is shown never to fire by ordering, not by waiting: the timer thread checks
     * every channel, in creation order, against one clock reading per pass. When channel B's timer
     * (due after the cancelled one of channel A) fires, a pending timer of A would have been
     * queued on A's worker-routine queue in the same pass or an earlier one. A worker routine then
     * requested on A runs after anything already on that FIFO queue; when it runs and the
     * cancelled (or replaced) routine has not, that routine was never queued and never will be.
     */
    @Test
    @DisplayName("Timer: AtaPortRequestTimer runs the routine like a worker routine after the delay; re-requesting replaces it, zero cancels it")
    void timer() throws Exception {
        try (Fixture f = new Fixture()) {
            InterruptConnection irq = f.newSource();
            Channel<TestExt> a = f.startChannel(new TestMiniport(false), irq);
            Channel<TestExt> b = f.startChannel(new TestMiniport(false), irq);
            List<String> fired = new CopyOnWriteArrayList<>();
            AtomicReference<Seen> seen = new AtomicReference<>();
            CountDownLatch ran = new CountDownLatch(1);
            a.requestTimer(ext -> fired.add("replaced"), TimeUnit.MILLISECONDS.toMicros(20));
            long start = System.nanoTime();
            a.requestTimer(ext -> {
                seen.set(Seen.now(a, ext));
                fired.add("second");
                ran.countDown();
            }, TimeUnit.MILLISECONDS.toMicros(30));
            await(ran, "the timer");
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(30), "fired after the delay");
            assertEquals(Irql.DISPATCH, seen.get().irql());
            assertTrue(seen.get().channelLock());
            assertFalse(seen.get().interruptLock());
            assertSame(a.extension(), seen.get().extension());

            a.requestTimer(ext -> fired.add("cancelled"), TimeUnit.MILLISECONDS.toMicros(10));
            a.requestTimer(null, 0);
            CountDownLatch laterFired = new CountDownLatch(1);
            b.requestTimer(ext -> laterFired.countDown(), TimeUnit.MILLISECONDS.toMicros(20));
            await(laterFired, "B's timer, due after A's cancelled one");
            CountDownLatch probed = new CountDownLatch(1);
            List<String> firedWhenProbed = new CopyOnWriteArrayList<>();
            a.requestWorkerRoutine(ext -> {
                firedWhenProbed.addAll(fired);
                probed.countDown();
            });
            await(probed, "a worker routine on A, queued behind anything A's timer queued");
            assertEquals(List.of("second"), firedWhenProbed, "the replaced and the cancelled timer routines never ran");
        }
    }
}
