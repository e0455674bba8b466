package io.jahci.ataport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link WaitMode} parsing, the {@link Spinner}'s windows, fixed and adaptive, and an interrupt thread that spins. */
class WaitModeTest {
    @Test
    @DisplayName("--wait parses block, spin, hybrid and hybrid:MICROS, and names what is wrong otherwise")
    void parses() {
        assertEquals("block", WaitMode.parse("block").toString());
        assertEquals("spin", WaitMode.parse("SPIN").toString());
        assertTrue(WaitMode.parse("hybrid").adaptive());
        assertEquals(20_000, WaitMode.parse("hybrid:20").spinNanos());
        assertEquals("hybrid:20", WaitMode.parse("hybrid:20").toString());
        assertEquals("hybrid", WaitMode.parse("hybrid").toString());
        assertEquals(WaitMode.Kind.HYBRID, WaitMode.parse("hybrid:20").kind());
        assertEquals(1_000, WaitMode.parse("hybrid:1").spinNanos(), "the shortest window");
        assertEquals(1_000_000, WaitMode.parse("hybrid:1000").spinNanos(), "the longest window");
        for (String bad : new String[] {"poll", "hybrid:", "hybrid:0", "hybrid:1001", "hybrid:x"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WaitMode.parse(bad));
            assertTrue(e.getMessage().startsWith("--wait "), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WaitMode.hybrid(1001));
        assertEquals("--wait hybrid:MICROS must be 1..1000 us, not 1001", e.getMessage());
    }

    @ParameterizedTest(name = "--wait {0}")
    @ValueSource(strings = {"spin", "hybrid:50", "hybrid"})
    @DisplayName("A spinning interrupt thread services each interrupt once, as a blocking one does")
    void spinningInterruptThreadServices(String mode) throws Exception {
        try (Fixture f = new Fixture(new PortDriverOptions().waitMode(WaitMode.parse(mode)))) {
            TestMiniport miniport = new TestMiniport(false);
            AtomicInteger isrs = new AtomicInteger();
            AtomicReference<Thread> isrThread = new AtomicReference<>();
            miniport.onInterrupt = ext -> {
                isrThread.set(Thread.currentThread());
                isrs.incrementAndGet();
                return true;
            };
            InterruptConnection connection = f.newSource();
            f.startChannel(miniport, connection);
            for (int i = 1; i <= 20; i++) {
                int serviced = i;
                f.source(0).fire();
                Fixture.awaitTrue(() -> connection.interrupts() == serviced, "interrupt " + i + " serviced");
            }
            assertEquals(20, isrs.get(), "one ISR call per interrupt");
            assertEquals(f.interruptThread(0), isrThread.get());
            assertEquals(0, connection.unclaimedInterrupts());
        }
    }

    @Test
    @DisplayName("block never polls; hybrid:MICROS polls for its window and returns false; spin polls until ready")
    void fixedWindows() {
        AtomicInteger polls = new AtomicInteger();
        assertFalse(new Spinner(WaitMode.BLOCK).spin(() -> polls.incrementAndGet() > 0));
        assertEquals(0, polls.get());
        long start = System.nanoTime();
        assertFalse(new Spinner(WaitMode.hybrid(200)).spin(() -> false));
        assertTrue(System.nanoTime() - start >= TimeUnit.MICROSECONDS.toNanos(200));
        assertTrue(new Spinner(WaitMode.SPIN).spin(() -> polls.incrementAndGet() > 1000));
    }

    @Test
    @DisplayName("adaptive hybrid: starts at 2 us; after a missed wait within 50 us grows to twice it (at most 50 us); "
            + "after a wait longer than 50 us halves (at least 2 us); a real missed spin adapts it")
    void adaptiveWindow() {
        Spinner s = new Spinner(WaitMode.HYBRID);
        assertEquals(2_000, s.window());
        s.adapt(3_000);
        assertEquals(6_000, s.window());
        s.adapt(1_000); // shorter than the window: a longer spin is not needed, the window stays
        assertEquals(6_000, s.window());
        s.adapt(40_000);
        assertEquals(50_000, s.window());
        s.adapt(200_000);
        assertEquals(25_000, s.window());
        for (int i = 0; i < 10; i++) {
            s.adapt(1_000_000);
        }
        assertEquals(2_000, s.window());
        Spinner fixed = new Spinner(WaitMode.hybrid(20));
        assertFalse(fixed.spin(() -> false));
        fixed.woke();
        assertEquals(20_000, fixed.window(), "a fixed window never adapts");
        s.adapt(40_000); // back to the cap: 50 us
        assertEquals(50_000, s.window());
        assertFalse(s.spin(() -> false), "a real spin that misses");
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // the blocked wait, well over the cap
        s.woke();
        assertEquals(25_000, s.window(), "a real missed wait longer than the cap halves the window");
    }
}
