package io.jahci.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jahci.ataport.ThreadPlacement;
import io.jahci.ataport.WaitMode;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** native/bench/irqbench.c builds with the system's gcc, runs, and writes stamps Java can read. */
class CBaselineTest {
    @Test
    @DisplayName("The C baseline builds with gcc, runs 200 events at a fixed rate and back to back in every wait mode, "
            + "and its stamps and thread lines parse")
    void buildsRunsAndParses() throws Exception {
        try (CBaseline c = CBaseline.build()) {
            for (IrqSettings s : new IrqSettings[] {
                    new IrqSettings(20_000, 50, 200, 0, 0, WaitMode.BLOCK, true, false, 1, ThreadPlacement.none(), false),
                    new IrqSettings(0, 50, 200, 0, 0, WaitMode.SPIN, true, false, 1, ThreadPlacement.none(), false),
                    new IrqSettings(20_000, 50, 200, 0, 0, WaitMode.HYBRID, true, false, 1, ThreadPlacement.none(), false),
                    new IrqSettings(0, 50, 200, 0, 0, WaitMode.hybrid(20), true, false, 1, ThreadPlacement.none(), false)}) {
                CBaseline.Run result = c.run(s);
                RawRun run = result.stamps();
                assertEquals(List.of("stimulus", "irq", "dispatch", "workitem"),
                        result.threads().stream().map(BenchThread::role).toList(), s.waitMode() + ": thread lines");
                for (BenchThread t : result.threads()) {
                    assertEquals("SCHED_OTHER", t.policy(), t.toString());
                    assertTrue(t.tid() > 0 && !t.cpus().isEmpty() && t.cpuNanos() > 0, t.toString());
                }
                assertEquals(50, run.warmup());
                assertEquals(250, run.total());
                for (Stage stage : RawRun.C_COLUMNS) {
                    long[] stamps = run.stamps.get(stage);
                    for (int i = 0; i < run.total(); i++) {
                        assertTrue(stamps[i] >= run.intended[i], stage + " of event " + i + " before its intended time");
                    }
                }
                // stages happen in pipeline order for every event
                for (int i = 0; i < run.total(); i++) {
                    assertTrue(run.stamps.get(Stage.SEND)[i] <= run.stamps.get(Stage.WAKE)[i]);
                    assertTrue(run.stamps.get(Stage.WAKE)[i] <= run.stamps.get(Stage.ISR)[i]);
                    assertTrue(run.stamps.get(Stage.ISR)[i] <= run.stamps.get(Stage.WORKER)[i]);
                    assertTrue(run.stamps.get(Stage.WORKER)[i] <= run.stamps.get(Stage.SYNCHRONIZED)[i]);
                    assertTrue(run.stamps.get(Stage.SYNCHRONIZED)[i] <= run.stamps.get(Stage.WORKITEM)[i]);
                }
                if (!s.backToBack()) {
                    assertEquals(s.periodNanos(), run.intended[60] - run.intended[59], "the schedule's period");
                }
                LatencyRecorder r = LatencyRecorder.record(run);
                assertEquals(200, r.histogram(Stage.WORKER).getTotalCount());
                assertEquals(0, r.clamped());
            }
        }
    }
}
