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

    @Test
    @DisplayName("Timer: AtaPortRequestTimer runs the routine like a worker routine after the delay; re-requesting replaces it, zero cancels it")
    void timer() throws Exception {
        try (Fixture f = new Fixture()) {
            Channel<TestExt> channel = f.startChannel(new TestMiniport(false), f.newSource());
            List<String> fired = new CopyOnWriteArrayList<>();
            AtomicReference<Seen> seen = new AtomicReference<>();
            CountDownLatch ran = new CountDownLatch(1);
            channel.requestTimer(ext -> fired.add("replaced"), TimeUnit.MILLISECONDS.toMicros(20));
            long start = System.nanoTime();
            channel.requestTimer(ext -> {
                seen.set(Seen.now(channel, ext));
                fired.add("second");
                ran.countDown();
            }, TimeUnit.MILLISECONDS.toMicros(30));
            await(ran, "the timer");
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(30), "fired after the delay");
            assertEquals(Irql.DISPATCH, seen.get().irql());
            assertTrue(seen.get().channelLock());
            assertFalse(seen.get().interruptLock());
            assertSame(channel.extension(), seen.get().extension());

            channel.requestTimer(ext -> fired.add("cancelled"), TimeUnit.MILLISECONDS.toMicros(10));
            channel.requestTimer(null, 0);
            Thread.sleep(50);
            assertEquals(List.of("second"), fired);
        }
    }
}
