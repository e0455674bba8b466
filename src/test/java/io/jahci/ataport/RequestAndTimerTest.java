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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
            assertThrows(IllegalStateException.class, () -> b.setPayload("b2"), "the payload of a request in flight");
            a.setPayload("a2");
            assertEquals("a2", a.payload(), "a completed request takes a new payload");
            assertThrows(IllegalStateException.class, () -> channel.submit(a), "stopped channel");
        }
    }

    @Test
    @DisplayName("Requests: NextRequest (requestNextRequest) offers busy-queued requests to StartIo again on a DISPATCH worker, with no completion")
    void nextRequestReoffersTheBusyQueue() throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(false);
            AtomicBoolean busy = new AtomicBoolean(true);
            List<String> offers = new CopyOnWriteArrayList<>();
            miniport.onStartIo = (ext, request) -> {
                offers.add(request.payload() + " " + Thread.currentThread().getName() + " " + Irql.current() + " " + busy.get());
                return !busy.get();
            };
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            IoRequest a = new IoRequest("a", null);
            channel.submit(a);
            String me = Thread.currentThread().getName();
            assertEquals(List.of("a " + me + " DISPATCH true"), offers, "refused as busy: a waits in the queue");
            busy.set(false);
            channel.requestNextRequest();
            Fixture.awaitTrue(() -> offers.size() == 2, "a to be offered again");
            assertTrue(offers.get(1).matches("a jahci-dispatch-\\d+ DISPATCH false"), offers.get(1));
            assertTrue(a.inFlight(), "accepted, held by the miniport");
        }
    }

    @Test
    @DisplayName("Requests: submitAndWait answers false once its timeout passed without the completion, and the late completion still runs")
    void submitAndWaitTimesOut() throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(false);
            AtomicReference<IoRequest> held = new AtomicReference<>();
            miniport.onStartIo = (ext, request) -> held.compareAndSet(null, request);
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            CountDownLatch completed = new CountDownLatch(1);
            IoRequest request = new IoRequest(null, r -> completed.countDown());
            long timeoutMillis = 100;
            long start = System.nanoTime();
            assertFalse(channel.submitAndWait(request, timeoutMillis, TimeUnit.MILLISECONDS));
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waitedMillis >= timeoutMillis, "answered after " + waitedMillis + " ms");
            assertTrue(request.inFlight(), "the miniport still holds the request");
            channel.completeRequest(held.get(), IoStatus.SUCCESS);
            await(completed, "the late completion");
        }
    }

    @Test
    @DisplayName("Timer: a timer requested while none is pending wakes the parked timer thread and fires")
    void timerRequestWakesTheTimerThread() throws Exception {
        try (Fixture f = new Fixture()) {
            Channel<TestExt> channel = f.startChannel(new TestMiniport(false), f.newSource());
            Thread timer = f.thread("jahci-timer");
            Fixture.awaitTrue(() -> timer.getState() == Thread.State.WAITING, "the timer thread parked with no timer");
            CountDownLatch fired = new CountDownLatch(1);
            channel.requestTimer(ext -> fired.countDown(), 1_000);
            await(fired, "the timer");
        }
    }

    /**
     * A command's deadline timer, armed at issue and cancelled at completion, one command after the
     * other: each new deadline lies after the one the timer thread sleeps until, so none needs to
     * wake it (counted from the kernel: the thread's voluntary_ctxt_switches in /proc; woken for
     * each, it would count at least one per command). An earlier deadline still wakes it (the test
     * above).
     */
    @Test
    @DisplayName("Timer: arming a deadline later than the one the timer thread sleeps until, and cancelling, do not wake it")
    void laterDeadlinesAndCancelsLeaveTheTimerThreadAsleep() throws Exception {
        try (Fixture f = new Fixture()) {
            Channel<TestExt> channel = f.startChannel(new TestMiniport(false), f.newSource());
            Thread timer = f.thread("jahci-timer");
            channel.requestTimer(ext -> { }, 60_000_000);
            Fixture.awaitTrue(() -> timer.getState() == Thread.State.TIMED_WAITING, "the timer thread asleep until the deadline");
            java.nio.file.Path status = timerStatus();
            long before = voluntarySwitches(status);
            int commands = 200;
            for (int i = 0; i < commands; i++) {
                channel.requestTimer(ext -> { }, 0);
                channel.requestTimer(ext -> { }, 60_000_000);
                // paced as commands are, so that a thread woken for each would block again in between
                // and count one switch per command (a burst would fold the wake-ups into a few)
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
            }
            long woken = voluntarySwitches(status) - before;
            assertTrue(woken < commands / 10, "the timer thread was woken " + woken + " times for " + commands
                    + " later deadlines and cancels");
            channel.requestTimer(ext -> { }, 0);
        }
    }

    /**
     * The timer thread scans the channels in creation order, each under its queue lock, then parks
     * until the earliest deadline it saw. A timer armed on a channel the scan has already passed is
     * one the scan missed, so the arm itself must wake the thread, or the thread sleeps on to a
     * later deadline. The test forces that interleaving: holding B's queue lock, it wakes the timer
     * thread and sees it spinning at that lock (its scan is past A and has not read B), arms A's
     * timer, then lets the scan finish. The deadline that scan sees is B's, a minute off; A's timer
     * must fire within the fixture's bound, far below it.
     *
     * <p>The thread must park with no unpark permit left over, or its park after the held scan
     * would return at once whatever the arm did. Until B's timer, nothing unparks it: WAITING is
     * its park with no timer; the arm of B's timer is the one unpark before the held scan, and
     * TIMED_WAITING is the park that follows it, until B's deadline; the test's own wake-up is
     * taken by that park.
     */
    @Test
    @DisplayName("Timer: a timer armed on a channel the timer thread's scan has passed wakes the thread and fires at its deadline, not at the next deadline the scan saw")
    void timerArmedBehindTheScanWakesTheTimerThread() throws Exception {
        try (Fixture f = new Fixture()) {
            InterruptConnection irq = f.newSource();
            Channel<TestExt> a = f.startChannel(new TestMiniport(false), irq);
            Channel<TestExt> b = f.startChannel(new TestMiniport(false), irq);
            Thread timer = f.thread("jahci-timer");
            Fixture.awaitTrue(() -> timer.getState() == Thread.State.WAITING, "the timer thread parked with no timer");
            b.requestTimer(ext -> { }, 60_000_000);
            Fixture.awaitTrue(() -> timer.getState() == Thread.State.TIMED_WAITING, "the timer thread asleep until B's deadline");
            SpinLock bQueue = b.polling().dpc().queueLock();
            CountDownLatch fired = new CountDownLatch(1);
            bQueue.lock();
            try {
                f.port.timerChanged();
                Fixture.awaitWaitingFor(bQueue, timer, "the timer thread's scan, past A");
                a.requestTimer(ext -> fired.countDown(), 1_000);
                assertSame(timer, bQueue.waiter(), "the scan still held at B when A's timer was armed");
            } finally {
                bQueue.unlock();
            }
            await(fired, "A's timer, due 1 ms after it was armed behind the scan (the scan saw only B's, 60 s off)");
        }
    }

    /** {@code /proc/self/task/<tid>/status} of the thread named jahci-timer. */
    private static java.nio.file.Path timerStatus() throws java.io.IOException {
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path task : (Iterable<java.nio.file.Path>) tasks::iterator) {
                if (java.nio.file.Files.readString(task.resolve("comm")).strip().equals("jahci-timer")) {
                    return task.resolve("status");
                }
            }
        }
        throw new AssertionError("no task named jahci-timer in /proc/self/task");
    }

    private static long voluntarySwitches(java.nio.file.Path status) throws java.io.IOException {
        return java.nio.file.Files.readAllLines(status).stream().filter(l -> l.startsWith("voluntary_ctxt_switches:"))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).strip())).findFirst().orElseThrow();
    }

    /**
     * The timer thread reads a clock the test moves by hand, so no timer is due before the test
     * says so, however the threads are scheduled. That a replaced or cancelled routine never ran is
     * shown by order, not by waiting: the timer thread checks every channel, in creation order,
     * against one clock reading per pass. When channel B's timer (due no earlier than A's pending
     * one) fires, a due timer of A would have been queued on A's worker-routine queue in the same
     * pass or an earlier one; a worker routine requested on A afterwards runs after anything on
     * that FIFO queue, so when it runs and a routine has not, that routine was never queued.
     */
    @Test
    @DisplayName("Timer: AtaPortRequestTimer runs the routine like a worker routine once its delay passed on the timer clock, not before; re-requesting replaces it, zero cancels it")
    void timer() throws Exception {
        AtomicLong clock = new AtomicLong();
        try (Fixture f = new Fixture(new PortDriverOptions().timerClock(clock::get))) {
            InterruptConnection irq = f.newSource();
            Channel<TestExt> a = f.startChannel(new TestMiniport(false), irq);
            Channel<TestExt> b = f.startChannel(new TestMiniport(false), irq);
            List<String> fired = new CopyOnWriteArrayList<>();
            AtomicReference<Seen> seen = new AtomicReference<>();
            CountDownLatch ran = new CountDownLatch(1);
            a.requestTimer(ext -> fired.add("replaced"), 20_000);
            a.requestTimer(ext -> {
                seen.set(Seen.now(a, ext));
                fired.add("second");
                ran.countDown();
            }, 30_000);
            advance(f, clock, 29_998); // B's probe below moves it to 29,999 us
            assertEquals(List.of(), firedBeforeAProbe(f, clock, a, b, fired), "a routine ran before its delay");
            advance(f, clock, 1);
            await(ran, "the timer, once its delay passed");
            assertEquals(Irql.DISPATCH, seen.get().irql());
            assertTrue(seen.get().channelLock());
            assertFalse(seen.get().interruptLock());
            assertSame(a.extension(), seen.get().extension());

            a.requestTimer(ext -> fired.add("cancelled"), 10_000);
            a.requestTimer(null, 0);
            advance(f, clock, 20_000);
            assertEquals(List.of("second"), firedBeforeAProbe(f, clock, a, b, fired),
                    "the replaced and the cancelled timer routines never ran");
        }
    }

    /** Moves the timer clock on by {@code micros} and wakes the timer thread. */
    private static void advance(Fixture f, AtomicLong clock, long micros) {
        clock.addAndGet(TimeUnit.MICROSECONDS.toNanos(micros));
        f.port.timerChanged();
    }

    /**
     * Arms B's timer due 1 us from now, moves the clock to it, waits until it fired, then
     * returns what A's timer routines had done when a worker routine queued on A after it ran.
     */
    private static List<String> firedBeforeAProbe(Fixture f, AtomicLong clock, Channel<TestExt> a, Channel<TestExt> b,
            List<String> fired) throws InterruptedException {
        CountDownLatch bFired = new CountDownLatch(1);
        b.requestTimer(ext -> bFired.countDown(), 1);
        advance(f, clock, 1);
        await(bFired, "B's timer");
        CountDownLatch probed = new CountDownLatch(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        a.requestWorkerRoutine(ext -> {
            seen.addAll(fired);
            probed.countDown();
        });
        await(probed, "a worker routine on A, queued behind anything A's timer queued");
        return seen;
    }
}
