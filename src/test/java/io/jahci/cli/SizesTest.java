package io.jahci.cli;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/** The size and duration every option takes. */
class SizesTest {
    @Test
    void binaryUnitsBothSpellings() {
        assertEquals(512, Sizes.parse("512"));
        assertEquals(4096, Sizes.parse("4k"));
        assertEquals(4096, Sizes.parse("4KiB"));
        assertEquals(128L << 20, Sizes.parse("128M"));
        assertEquals(1L << 30, Sizes.parse("1g"));
        assertEquals(500L << 30, Sizes.parse("500GiB"));
        assertEquals(2L << 40, Sizes.parse("2t"));
        assertEquals(2L << 40, Sizes.parse("2TiB"));
        for (String bad : new String[] {"", "k", "0", "-1", "1x", "1.5g", "1kb", "ib", "9999999999t"}) {
            assertThrows(IllegalArgumentException.class, () -> Sizes.parse(bad), bad);
        }
    }

    @Test
    void durationsCarryTheirUnitAndABareNumberIsSeconds() {
        assertEquals(Duration.ofMillis(500), OptionTypes.duration("500ms"));
        assertEquals(Duration.ofSeconds(2), OptionTypes.duration("2s"));
        assertEquals(Duration.ofMillis(1500), OptionTypes.duration("1.5s"));
        assertEquals(Duration.ofMillis(1500), OptionTypes.duration("1.5"));
        assertEquals(Duration.ofNanos(100_000), OptionTypes.duration("100us"));
        assertEquals(Duration.ofNanos(100_000), OptionTypes.duration("100µs"));
        assertEquals(Duration.ofMinutes(2), OptionTypes.duration("2m"));
        assertEquals(Duration.ofNanos(7), OptionTypes.duration("7ns"));
        for (String bad : new String[] {"", "s", "-1s", "2x", "soon", "NaN", "Infinity"}) {
            assertThrows(OptionTypes.Invalid.class, () -> OptionTypes.duration(bad), bad);
        }
    }

    @Test
    void warmupIsEventsOrADuration() {
        assertEquals(new OptionTypes.Warmup(20000, null), OptionTypes.Warmup.parse("20000"));
        assertEquals(new OptionTypes.Warmup(-1, Duration.ofSeconds(2)), OptionTypes.Warmup.parse("2s"));
        assertThrows(OptionTypes.Invalid.class, () -> OptionTypes.Warmup.parse("99999999999"));
    }
}
