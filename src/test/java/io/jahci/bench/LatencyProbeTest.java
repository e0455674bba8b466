package io.jahci.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jahci.ataport.Channel;
import io.jahci.ataport.CompletionMode;
import io.jahci.ataport.ChannelConfiguration;
import io.jahci.ataport.ControlAction;
import io.jahci.ataport.InterruptConnection;
import io.jahci.ataport.IoRequest;
import io.jahci.ataport.IoStatus;
import io.jahci.ataport.LatencyProbe;
import io.jahci.ataport.Miniport;
import io.jahci.ataport.PortDriver;
import io.jahci.ataport.PortDriverOptions;
import io.jahci.hw.EventFdInterruptSource;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The port layer calls the LatencyProbe at interrupt wake, ISR entry and completion dispatch, in that order. */
class LatencyProbeTest {
    static final class Probe implements LatencyProbe {
        volatile long wake;
        volatile long isr;
        volatile long completion;
        volatile String wakeThread;
        volatile String completionThread;

        @Override
        public void interruptWake(InterruptConnection connection) {
            wake = System.nanoTime();
            wakeThread = Thread.currentThread().getName();
        }

        @Override
        public void isrEntry(Channel<?> channel) {
            isr = System.nanoTime();
        }

        @Override
        public void completionDispatch(Channel<?> channel, IoRequest request) {
            completion = System.nanoTime();
            completionThread = Thread.currentThread().getName();
        }
    }

    /** Completes the in-flight request from its ISR. */
    static final class Completing implements Miniport<Channel<Completing.Ext>> {
        static final class Ext {}

        final AtomicReference<IoRequest> inflight = new AtomicReference<>();
        Channel<Ext> channel;

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Channel<Ext> channelInit(Channel<Channel<Ext>> ch, ChannelConfiguration cfg) {
            channel = (Channel) ch;
            return channel;
        }

        @Override
        public boolean initialize(Channel<Ext> x) {
            return true;
        }

        @Override
        public boolean buildIo(Channel<Ext> x, IoRequest r) {
            return true;
        }

        @Override
        public boolean startIo(Channel<Ext> x, IoRequest r) {
            inflight.set(r);
            return true;
        }

        @Override
        public boolean interrupt(Channel<Ext> x) {
            IoRequest r = inflight.getAndSet(null);
            if (r == null) {
                return false;
            }
            x.completeRequest(r, IoStatus.SUCCESS);
            return true;
        }

        @Override
        public boolean reset(Channel<Ext> x) {
            return true;
        }

        @Override
        public boolean control(Channel<Ext> x, ControlAction a) {
            return true;
        }
    }

    @Test
    @DisplayName("LatencyProbe: wake (interrupt thread) <= ISR entry <= completion dispatch (the same interrupt thread, after the ISR)")
    void probeSeesTheInterruptPath() throws Exception {
        Probe probe = new Probe();
        try (EventFdInterruptSource source = new EventFdInterruptSource("probe test")) {
            PortDriver<Object> port = PortDriver.start(new Object(),
                    new PortDriverOptions().verifier(true).latencyProbe(probe).completionMode(CompletionMode.INTERRUPT));
            try {
                Completing miniport = new Completing();
                Channel<Channel<Completing.Ext>> ch = port.createChannel(miniport, port.connectInterrupt(source));
                assertTrue(ch.start());
                java.util.concurrent.CountDownLatch completed = new java.util.concurrent.CountDownLatch(1);
                IoRequest request = new IoRequest(null, r -> completed.countDown()); // nobody waits: the interrupt thread services
                Thread signaller = new Thread(() -> {
                    while (miniport.inflight.get() == null) {
                        Thread.onSpinWait();
                    }
                    source.signal();
                });
                signaller.start();
                ch.submit(request);
                assertTrue(completed.await(10, TimeUnit.SECONDS));
                signaller.join();
                assertTrue(probe.wake > 0 && probe.wake <= probe.isr && probe.isr <= probe.completion,
                        "wake " + probe.wake + " isr " + probe.isr + " completion " + probe.completion);
                assertTrue(probe.wakeThread.startsWith("jahci-irq-"), probe.wakeThread);
                assertEquals(probe.wakeThread, probe.completionThread, "the completion runs on the interrupt thread, as a DPC after the ISR");
                assertEquals(0, port.failures().size());
            } finally {
                port.close();
            }
        }
    }
}
