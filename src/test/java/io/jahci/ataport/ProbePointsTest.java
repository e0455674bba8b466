package io.jahci.ataport;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static io.jahci.ataport.Fixture.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@link LatencyProbe}'s observation points ({@code jahci bench irq} measures between them):
 * each is called once per request, in the order of the interrupt path, on the thread and at the
 * level, with the lock, its javadoc gives.
 */
class ProbePointsTest {
    /** Records each point as "point thread level locks". */
    private static final class Recorder implements LatencyProbe {
        final Queue<String> points = new ConcurrentLinkedQueue<>();
        final Queue<Object> arguments = new ConcurrentLinkedQueue<>();

        private void record(String point, Channel<?> channel, Object argument) {
            String locks = channel == null ? ""
                    : (channel.holdsChannelLock() ? " channel-lock" : "") + (channel.holdsInterruptLock() ? " interrupt-lock" : "");
            points.add(point + " " + Thread.currentThread().getName() + " " + Irql.current() + locks);
            arguments.add(argument);
        }

        @Override
        public void startIoReturned(Channel<?> channel, IoRequest request) {
            record("startIoReturned", channel, request);
        }

        @Override
        public void interruptWake(InterruptConnection connection) {
            record("interruptWake", null, connection);
        }

        @Override
        public void isrEntry(Channel<?> channel) {
            record("isrEntry", channel, channel);
        }

        @Override
        public void completionDispatch(Channel<?> channel, IoRequest request) {
            record("completionDispatch", channel, request);
        }
    }

    @ParameterizedTest(name = "SyncWithIsr={0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("A probe sees StartIo return, the interrupt thread wake, the ISR entered and the completion dispatched, once each, in that order, at their levels")
    void pointsInOrder(boolean syncWithIsr) throws Exception {
        Recorder probe = new Recorder();
        try (Fixture f = new Fixture(new PortDriverOptions().latencyProbe(probe).completionMode(CompletionMode.INTERRUPT))) {
            TestMiniport miniport = new TestMiniport(syncWithIsr);
            AtomicReference<IoRequest> inFlight = new AtomicReference<>();
            miniport.onStartIo = (ext, r) -> inFlight.compareAndSet(null, r);
            miniport.onInterrupt = ext -> {
                IoRequest r = inFlight.getAndSet(null);
                if (r != null) {
                    ext.channel.completeRequest(r, IoStatus.SUCCESS);
                }
                return r != null;
            };
            InterruptConnection connection = f.newSource();
            Channel<TestExt> channel = f.startChannel(miniport, connection);
            CountDownLatch completed = new CountDownLatch(1);
            IoRequest request = new IoRequest(null, r -> completed.countDown());
            channel.submit(request);
            f.source(0).fire();
            await(completed, "the completion");
            String me = Thread.currentThread().getName();
            String startIo = syncWithIsr ? "DIRQL channel-lock interrupt-lock" : "DISPATCH channel-lock";
            assertEquals(List.of(
                    "startIoReturned " + me + " " + startIo,
                    "interruptWake jahci-irq-0 DISPATCH",
                    "isrEntry jahci-irq-0 DIRQL interrupt-lock",
                    "completionDispatch jahci-irq-0 DISPATCH"), List.copyOf(probe.points));
            assertEquals(List.of(request, connection, channel, request), List.copyOf(probe.arguments));
        }
    }
}
