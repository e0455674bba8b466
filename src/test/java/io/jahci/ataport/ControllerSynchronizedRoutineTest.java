package io.jahci.ataport;

import static io.jahci.ataport.Fixture.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The controller-wide synchronized routine (AtaPortControllerSyncRoutine): it excludes the ISRs of every
 * interrupt source of the controller, runs at DIRQL on the caller's thread with the device extension, and
 * is refused where taking the locks could deadlock.
 */
class ControllerSynchronizedRoutineTest {

    @Test
    @DisplayName("A controller synchronized routine holds every source's interrupt lock at DIRQL: interrupts raised on both sources inside it wait at their locks until it returns")
    void excludesTheIsrsOfEverySource() throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport a = new TestMiniport(false);
            TestMiniport b = new TestMiniport(false);
            Channel<TestExt> channelA = f.startChannel(a, f.newSource());
            Channel<TestExt> channelB = f.startChannel(b, f.newSource());
            AtomicLong isrs = new AtomicLong();
            a.onInterrupt = ext -> isrs.incrementAndGet() > 0;
            b.onInterrupt = ext -> isrs.incrementAndGet() > 0;
            List<Object> seen = new ArrayList<>();
            f.port.requestControllerSynchronizedRoutine(device -> {
                seen.add(device);
                seen.add(Thread.currentThread());
                seen.add(Irql.current());
                seen.add(channelA.holdsInterruptLock() && channelB.holdsInterruptLock());
                f.source(0).fire();
                f.source(1).fire();
                Fixture.awaitWaitingFor(f.interruptLock(0), f.interruptThread(0), "source 0's ISR held off");
                Fixture.awaitWaitingFor(f.interruptLock(1), f.interruptThread(1), "source 1's ISR held off");
                seen.add(isrs.get());
            });
            assertEquals(List.of(f.deviceExtension, Thread.currentThread(), Irql.DIRQL, true, 0L), seen,
                    "device extension, calling thread, DIRQL, both interrupt locks, no ISR inside");
            assertSame(f.deviceExtension, f.port.deviceExtension(), "the device extension the routine got is the port's");
            assertEquals(Irql.PASSIVE, Irql.current(), "the caller's level is restored");
            awaitTrue(() -> isrs.get() == 2, "both ISRs, once the routine returned");
        }
    }

    @Test
    @DisplayName("From an ISR holding one of two interrupt locks it is refused as WRONG_LEVEL; with one source, an ISR holds every lock and it runs inline")
    void fromAnIsrOnlyWhenItHoldsEveryLock() throws Exception {
        try (Fixture f = new Fixture()) {
            TestMiniport a = new TestMiniport(false);
            f.startChannel(a, f.newSource());
            AtomicReference<Object> inIsr = new AtomicReference<>();
            ControllerRoutine<Object> mark = device -> inIsr.set("ran inline on " + Thread.currentThread().getName());
            a.onInterrupt = ext -> {
                try {
                    f.port.requestControllerSynchronizedRoutine(mark);
                } catch (RuntimeException e) {
                    inIsr.set(e);
                }
                return true;
            };
            f.source(0).fire();
            awaitTrue(() -> inIsr.get() != null, "the ISR's request");
            assertEquals("ran inline on " + f.interruptThread(0).getName(), inIsr.get(), "one source: the ISR holds every lock");

            inIsr.set(null);
            f.startChannel(new TestMiniport(false), f.newSource());
            f.source(0).fire();
            awaitTrue(() -> inIsr.get() != null, "the ISR's request with two sources");
            VerifierException e = assertInstanceOf(VerifierException.class, inIsr.get());
            assertEquals(VerifierException.Rule.WRONG_LEVEL, e.rule());
            assertTrue(e.getMessage().contains("DIRQL holding 1 of its 2 interrupt locks"), e.getMessage());
        }
    }

    @Test
    @DisplayName("After the port closed, a controller synchronized routine is an error, not a silent no-op")
    void refusedAfterClose() throws Exception {
        Fixture f = new Fixture();
        f.startChannel(new TestMiniport(false), f.newSource());
        f.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> f.port.requestControllerSynchronizedRoutine(device -> { }));
        assertTrue(e.getMessage().contains("the port is closed"), e.getMessage());
        assertSame(Irql.PASSIVE, Irql.current());
    }
}
