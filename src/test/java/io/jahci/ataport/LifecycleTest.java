package io.jahci.ataport;

import static io.jahci.ataport.Fixture.await;
import static io.jahci.ataport.Misuse.assertViolation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The channel life cycle drawn in {@link ChannelState}: one test per edge. */
class LifecycleTest {

    @ParameterizedTest(name = "SyncWithIsr={0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Life cycle: while Initialize runs the channel is INITIALIZING and a submit from another thread is refused at once (SERVICE_ON_STOPPED_CHANNEL), before BuildIo")
    void nothingAcceptedBeforeInitializeReturned(boolean syncWithIsr) throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(syncWithIsr);
            AtomicReference<ChannelState> stateInInitialize = new AtomicReference<>();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Boolean> submitterReturned = new AtomicReference<>();
            IoRequest request = new IoRequest(null, null);
            miniport.onInitialize = ext -> {
                stateInInitialize.set(ext.channel.state());
                Thread submitter = new Thread(() -> thrown.set(Misuse.thrownBy(() -> ext.channel.submit(request))), "submitter");
                submitter.start();
                try {
                    submitter.join(TimeUnit.SECONDS.toMillis(Fixture.WAIT_SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                submitterReturned.set(!submitter.isAlive());
                return true;
            };
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            assertEquals(Boolean.TRUE, submitterReturned.get(), "the submit returned while Initialize ran");
            assertEquals(ChannelState.INITIALIZING, stateInInitialize.get());
            assertViolation(thrown.get(), VerifierException.Rule.SERVICE_ON_STOPPED_CHANNEL, "Channel.submit of channel 0",
                    "channel STARTED", "channel INITIALIZING", "submitter");
            assertNull(channel.extension().seen.get("buildIo"), "BuildIo ran before Initialize returned");
            assertFalse(request.inFlight());
            assertEquals(ChannelState.STARTED, channel.state());
        }
    }

    @ParameterizedTest(name = "SyncWithIsr={0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Life cycle: a request whose BuildIo was still running when stop() returned never reaches StartIo: it completes ABORTED")
    void noStartIoAfterStop(boolean syncWithIsr) throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(syncWithIsr);
            CountDownLatch inBuildIo = new CountDownLatch(1);
            CountDownLatch stopped = new CountDownLatch(1);
            miniport.onBuildIo = (ext, r) -> {
                inBuildIo.countDown();
                return awaitQuietly(stopped);
            };
            List<String> startIoSeen = new CopyOnWriteArrayList<>();
            miniport.onStartIo = (ext, r) -> startIoSeen.add(ext.channel.state().toString());
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            CountDownLatch completed = new CountDownLatch(1);
            AtomicReference<List<String>> startIoAtCompletion = new AtomicReference<>();
            IoRequest request = new IoRequest(null, r -> {
                startIoAtCompletion.set(List.copyOf(startIoSeen));
                completed.countDown();
            });
            Thread submitter = new Thread(() -> channel.submit(request), "submitter");
            submitter.start();
            await(inBuildIo, "BuildIo");
            channel.stop();
            stopped.countDown();
            await(completed, "the request's completion");
            assertEquals(IoStatus.ABORTED, request.status());
            assertEquals(List.of(), startIoAtCompletion.get(), "StartIo ran after stop() returned");
            submitter.join(TimeUnit.SECONDS.toMillis(Fixture.WAIT_SECONDS));
        }
    }

    @Test
    @DisplayName("Life cycle: stop() waits for an ISR that is running: it is held at the interrupt lock until the ISR returns, and StopChannel runs after")
    void stopWaitsForRunningIsr() throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(false);
            List<String> order = new CopyOnWriteArrayList<>();
            CountDownLatch isrInside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            miniport.onInterrupt = ext -> {
                isrInside.countDown();
                awaitQuietly(release);
                order.add("ISR returned");
                return true;
            };
            miniport.onControl = (ext, action) -> order.add(action.toString());
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            f.source(0).fire();
            await(isrInside, "the ISR");
            Thread stopper = new Thread(channel::stop, "stopper");
            stopper.start();
            Fixture.awaitWaitingFor(f.interruptLock(0), stopper, "stop() held off by the running ISR");
            assertEquals(ChannelState.STOPPING, channel.state());
            assertEquals(List.of("START_CHANNEL"), order, "StopChannel ran while the ISR ran");
            release.countDown();
            stopper.join(TimeUnit.SECONDS.toMillis(Fixture.WAIT_SECONDS));
            assertEquals(List.of("START_CHANNEL", "ISR returned", "STOP_CHANNEL"), order);
            assertEquals(ChannelState.STOPPED, channel.state());
        }
    }

    @Test
    @DisplayName("Life cycle: after stop() an interrupt on the source is serviced (counted, unclaimed) without calling the channel's ISR")
    void noIsrAfterStop() throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(false);
            AtomicInteger isrs = new AtomicInteger();
            miniport.onInterrupt = ext -> isrs.incrementAndGet() > 0;
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            channel.stop();
            InterruptConnection irq = f.connections.get(0);
            long unclaimed = irq.unclaimedInterrupts();
            f.source(0).fire();
            Fixture.awaitTrue(() -> irq.unclaimedInterrupts() == unclaimed + 1, "the interrupt serviced");
            assertEquals(0, isrs.get(), "the ISR of a stopped channel was called");
        }
    }

    /** How a start fails, for {@link #failedStartLeavesNothingBehind}. */
    enum Failure { START_CHANNEL_FALSE, START_CHANNEL_THROWS, INITIALIZE_FALSE, INITIALIZE_THROWS }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(Failure.class)
    @DisplayName("Life cycle: a failed start (StartChannel or Initialize false or throwing) leaves the channel STOPPED with nothing behind: deferred work drained, timer cancelled, StopChannel undoing a StartChannel that succeeded, no ISR; it can start again")
    void failedStartLeavesNothingBehind(Failure failure) throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(false);
            List<String> order = new CopyOnWriteArrayList<>();
            AtomicInteger isrs = new AtomicInteger();
            miniport.onInterrupt = ext -> isrs.incrementAndGet() > 0;
            boolean inStart = failure == Failure.START_CHANNEL_FALSE || failure == Failure.START_CHANNEL_THROWS;
            boolean throwing = failure == Failure.START_CHANNEL_THROWS || failure == Failure.INITIALIZE_THROWS;
            miniport.onControl = (ext, action) -> {
                order.add(action.toString());
                if (action == ControlAction.START_CHANNEL) {
                    ext.channel.requestTimer(e -> order.add("timer"), TimeUnit.SECONDS.toMicros(60));
                    order.add(ext.channel.polling().dpc().timerPending() ? "timer armed" : "timer not armed");
                    ext.channel.requestWorkerRoutine(e -> order.add("worker routine"));
                    return fail(inStart, throwing);
                }
                return true;
            };
            miniport.onInitialize = ext -> {
                order.add("initialize");
                return fail(!inStart, throwing);
            };
            Channel<TestExt> channel = f.port.createChannel(miniport, f.newSource());
            if (throwing) {
                assertEquals("start failure", assertThrows(IllegalStateException.class, channel::start).getMessage());
            } else {
                assertFalse(channel.start());
            }
            assertEquals(ChannelState.STOPPED, channel.state());
            assertTrue(order.contains("worker routine"), "the worker routine StartChannel requested ran before start() returned");
            assertFalse(channel.polling().dpc().timerPending(), "the timer StartChannel armed is still pending");
            // The worker routine runs on a worker whenever it gets there, but before start() returns
            // and, when StopChannel undoes a StartChannel that succeeded, before StopChannel.
            List<String> calls = order.stream().filter(s -> !s.equals("worker routine")).toList();
            assertEquals(inStart ? List.of("START_CHANNEL", "timer armed")
                    : List.of("START_CHANNEL", "timer armed", "initialize", "STOP_CHANNEL"), calls);
            if (!inStart) {
                assertTrue(order.indexOf("worker routine") < order.indexOf("STOP_CHANNEL"), "deferred work drained before StopChannel: " + order);
            }
            InterruptConnection irq = f.connections.get(0);
            long unclaimed = irq.unclaimedInterrupts();
            f.source(0).fire();
            Fixture.awaitTrue(() -> irq.unclaimedInterrupts() == unclaimed + 1, "the interrupt serviced");
            assertEquals(0, isrs.get(), "the ISR of a channel whose start failed was called");
            miniport.onControl = (ext, action) -> true;
            miniport.onInitialize = ext -> true;
            assertTrue(channel.start(), "the channel starts again");
            assertEquals(ChannelState.STARTED, channel.state());
        }
    }

    private static boolean fail(boolean here, boolean throwing) {
        if (here && throwing) {
            throw new IllegalStateException("start failure");
        }
        return !here;
    }

    @ParameterizedTest(name = "SyncWithIsr={0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Life cycle: a StartIo that throws fails that request (ERROR, failure recorded); the channel goes on")
    void startIoThrowsFailsTheRequest(boolean syncWithIsr) throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(syncWithIsr);
            miniport.onStartIo = (ext, r) -> {
                if ("bad".equals(r.payload())) {
                    throw new IllegalArgumentException("StartIo failure");
                }
                ext.channel.completeRequest(r, IoStatus.SUCCESS);
                return true;
            };
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            f.expectedFailures.add(IllegalArgumentException.class);
            IoRequest bad = new IoRequest("bad", null);
            assertTrue(channel.submitAndWait(bad, Fixture.WAIT_SECONDS, TimeUnit.SECONDS), "the failed request completed");
            assertEquals(IoStatus.ERROR, bad.status());
            IoRequest good = new IoRequest("good", null);
            assertTrue(channel.submitAndWait(good, Fixture.WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals(IoStatus.SUCCESS, good.status());
        }
    }

    @ParameterizedTest(name = "SyncWithIsr={0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Life cycle: an ISR that throws is recorded and the port resets the channel (Reset on a DISPATCH worker), whose contract fails the requests the miniport holds: the request fails, it does not hang")
    void isrThrowsFailsTheRequest(boolean syncWithIsr) throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport miniport = new TestMiniport(syncWithIsr);
            AtomicReference<IoRequest> held = new AtomicReference<>();
            miniport.onStartIo = (ext, r) -> held.compareAndSet(null, r);
            miniport.onInterrupt = ext -> {
                throw new IllegalArgumentException("ISR failure");
            };
            AtomicReference<Seen> resetSeen = new AtomicReference<>();
            miniport.onReset = ext -> {
                resetSeen.set(Seen.now(ext.channel, ext));
                IoRequest r = held.getAndSet(null);
                if (r != null) {
                    ext.channel.completeRequest(r, IoStatus.ERROR);
                }
                return true;
            };
            Channel<TestExt> channel = f.startChannel(miniport, f.newSource());
            f.expectedFailures.add(IllegalArgumentException.class);
            CountDownLatch done = new CountDownLatch(1);
            IoRequest request = new IoRequest(null, r -> done.countDown());
            channel.submit(request);
            f.source(0).fire();
            await(done, "the request held when the ISR threw");
            assertEquals(IoStatus.ERROR, request.status());
            Seen s = resetSeen.get();
            assertTrue(s.thread().getName().startsWith("jahci-dispatch-"), s.thread().getName());
            assertEquals(syncWithIsr ? Irql.DIRQL : Irql.DISPATCH, s.irql());
            assertTrue(s.channelLock());
            assertEquals(syncWithIsr, s.interruptLock());
            assertSame(channel.extension(), s.extension());
            CountDownLatch after = new CountDownLatch(1);
            channel.requestWorkerRoutine(ext -> after.countDown());
            await(after, "a worker routine after the Reset");
            for (PortThread t : f.port.dispatchThreads()) {
                assertTrue(t.isAlive(), t.getName() + " died");
            }
        }
    }

    private static boolean awaitQuietly(CountDownLatch latch) {
        try {
            return latch.await(Fixture.WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** This process's open eventfds and epolls now, each as "FD anon_inode:[KIND]" (/proc/self/fd). */
    private static java.util.Set<String> eventFds() throws java.io.IOException {
        java.util.Set<String> found = new java.util.HashSet<>();
        try (java.util.stream.Stream<java.nio.file.Path> fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            for (java.nio.file.Path fd : (Iterable<java.nio.file.Path>) fds::iterator) {
                try {
                    String target = java.nio.file.Files.readSymbolicLink(fd).toString();
                    if (target.equals("anon_inode:[eventfd]") || target.equals("anon_inode:[eventpoll]")) {
                        found.add(fd.getFileName() + " " + target);
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    // closed while listed (the listing's own fd among them)
                }
            }
        }
        return found;
    }

    @Test
    @DisplayName("Life cycle: close() releases every file descriptor the port opened: each interrupt connection's epolls and eventfds, with and without a waiter having taken the source")
    void closeReleasesEveryFd() throws Exception {
        java.util.Set<String> before = eventFds();
        java.util.Set<String> opened = new java.util.HashSet<>();
        try (Fixture f = new Fixture(new PortDriverOptions().completionMode(CompletionMode.INTERRUPT))) {
            for (int i = 0; i < 3; i++) {
                f.startChannel(new TestMiniport(false), f.newSource());
            }
            Channel<TestExt> channel = f.port.createChannel(new TestMiniport(false), f.connections.get(0));
            assertTrue(channel.start());
            assertFalse(channel.awaitTakingInterrupt(() -> false, 10, TimeUnit.MILLISECONDS), "a wait that took the source and timed out");
            opened.addAll(eventFds());
            opened.removeAll(before);
            assertFalse(opened.isEmpty(), "the port opened no eventfd or epoll");
        }
        // only the fds this port opened: other tests' objects in this JVM may close theirs meanwhile
        opened.retainAll(eventFds());
        assertEquals(java.util.Set.of(), opened, "eventfds and epolls still open after the port and its sources closed");
    }
}
