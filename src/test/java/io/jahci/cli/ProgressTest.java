package io.jahci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Progress lines with their rate and ETA, on a clock the test sets. */
class ProgressTest {
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final StringWriter err = new StringWriter();

    private Progress progress(Progress.Rate rate) {
        return new Progress(new PrintWriter(err, true), (done, total, extra) -> "did " + done + "/" + total, rate, false,
                clock::get);
    }

    @Test
    @DisplayName("sectors: MB/s over the phase so far and the ETA at that rate, on each tenth done")
    void megabytesPerSecondAndEta() {
        Progress p = progress(Progress.megabytes(512));
        clock.addAndGet(2_000_000_000L);
        p.update(1_000_000, 4_000_000, 0); // 512 MB in 2 s; 3/4 left: 6 s
        assertEquals("did 1000000/4000000; 256.0 MB/s, ETA 0:06", err.toString().trim());
        clock.addAndGet(1_000_000_000L);
        p.update(1_000_001, 4_000_000, 0);
        assertEquals(1, err.toString().lines().count(), "no line until another tenth is done");
        p.phase((done, total, extra) -> "read back " + done, Progress.megabytes(512));
        clock.addAndGet(1_000_000_000L);
        p.update(2_000_000, 4_000_000, 0);
        assertTrue(err.toString().trim().endsWith("read back 2000000; 1024.0 MB/s, ETA 0:01"), err.toString());
    }

    @Test
    @DisplayName("bench io: IOPS from the I/Os counted, ETA from the time left; no rate before anything is done")
    void iops() {
        Progress p = progress(Progress.iops());
        assertEquals("did 0/0", p.summary());
        clock.addAndGet(1_000_000_000L);
        p.update(1000, 5000, 2170);
        assertEquals("did 1000/5000; 2170 IOPS, ETA 0:04", p.summary());
    }

    @Test
    @DisplayName("without a total: the rate, no ETA, and a line every 5 s when not on a terminal")
    void unboundedPrintsEveryFiveSeconds() {
        Progress p = progress(Progress.perSecond("events"));
        clock.addAndGet(1_000_000_000L);
        p.update(5000, 0, 0);
        assertEquals("", err.toString());
        clock.addAndGet(4_000_000_000L);
        p.update(25_000, 0, 0);
        assertEquals("did 25000/0; 5000 events/s", err.toString().trim());
    }

    @Test
    @DisplayName("ETA as m:ss, h:mm:ss past an hour")
    void clockTime() {
        assertEquals("0:07", Progress.clockTime(7.4));
        assertEquals("12:30", Progress.clockTime(750));
        assertEquals("1:02:03", Progress.clockTime(3723));
    }
}
