package io.jahci.miniport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.jahci.ataport.Channel;
import io.jahci.ataport.Miniport;
import io.jahci.ataport.PortDriver;
import io.jahci.ataport.PortDriverOptions;
import io.jahci.ataport.VerifierException;
import io.jahci.hw.EventFdInterruptSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Poll sleeps, so at DISPATCH or DIRQL it is refused before it sleeps (Linux's might_sleep), verifier on or off. */
class PollTest {

    @ParameterizedTest(name = "verifier {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("Poll.until and Poll.sleepMillis at DISPATCH (worker routine) or DIRQL (synchronized routine) are BLOCKING_CALL_AT_RAISED_LEVEL; at PASSIVE they poll")
    @SuppressWarnings("unchecked")
    void pollAtRaisedLevelIsRefused(boolean verifier) throws Exception {
        Miniport<Object> miniport = mock(Miniport.class);
        Object extension = new Object();
        when(miniport.channelInit(any(), any())).thenReturn(extension);
        when(miniport.control(any(), any())).thenReturn(true);
        when(miniport.initialize(any())).thenReturn(true);
        AtomicInteger polls = new AtomicInteger();
        try (EventFdInterruptSource source = new EventFdInterruptSource("poll test source");
                PortDriver<Object> port = PortDriver.start(new Object(), new PortDriverOptions().verifier(verifier))) {
            Channel<Object> channel = port.createChannel(miniport, port.connectInterrupt(source));
            assertTrue(channel.start());

            CompletableFuture<Throwable> atDispatch = new CompletableFuture<>();
            channel.requestWorkerRoutine(ext -> atDispatch.complete(thrownBy(() -> Poll.until(1000, () -> polls.incrementAndGet() > 0))));
            assertRefused(atDispatch.get(5, TimeUnit.SECONDS), "Poll.until", "DISPATCH");
            CompletableFuture<Throwable> sleepAtDispatch = new CompletableFuture<>();
            channel.requestWorkerRoutine(ext -> sleepAtDispatch.complete(thrownBy(() -> Poll.sleepMillis(1))));
            assertRefused(sleepAtDispatch.get(5, TimeUnit.SECONDS), "Poll.sleepMillis", "DISPATCH");
            Throwable[] atDirql = new Throwable[1];
            channel.requestSynchronizedRoutine(ext -> atDirql[0] = thrownBy(() -> Poll.until(1000, () -> polls.incrementAndGet() > 0)));
            assertRefused(atDirql[0], "Poll.until", "DIRQL");
            assertEquals(0, polls.get(), "the condition was never polled at a raised level");

            assertTrue(Poll.until(1000, () -> polls.incrementAndGet() > 2), "PASSIVE polls");
            assertEquals(3, polls.get());
            assertFalse(Poll.until(0, () -> false), "a deadline that passed");
            channel.stop();
            assertEquals(0, port.failures().size(), port.failures().toString());
        }
    }

    private static void assertRefused(Throwable thrown, String routine, String level) {
        VerifierException e = assertInstanceOf(VerifierException.class, thrown);
        assertEquals(VerifierException.Rule.BLOCKING_CALL_AT_RAISED_LEVEL, e.rule());
        assertEquals(routine, e.routine());
        assertEquals("PASSIVE", e.expected());
        assertEquals(level, e.actual());
    }

    private static Throwable thrownBy(Runnable r) {
        try {
            r.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }
}
