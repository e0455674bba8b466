package io.jahci.ataport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link WaitMode} parsing and the {@link Spinner}'s windows, fixed and adaptive. */
class WaitModeTest {
    @Test
    @DisplayName("--wait parses block, spin, hybrid and hybrid:MICROS, and names what is wrong otherwise")
    void parses() {
        assertEquals("block", WaitMode.parse("block").toString());
        assertEquals("spin", WaitMode.parse("SPIN").toString());
        assertTrue(WaitMode.parse("hybrid").adaptive());
        assertEquals(20_000, WaitMode.parse("hybrid:20").spinNanos());
        for (String bad : new String[] {"poll", "hybrid:", "hybrid:0", "hybrid:1001", "hybrid:x"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WaitMode.parse(bad));
            assertTrue(e.getMessage().startsWith("--wait "), e.getMessage());
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
