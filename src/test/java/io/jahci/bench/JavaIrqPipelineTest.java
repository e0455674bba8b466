package io.jahci.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jahci.ataport.ThreadPlacement;
import io.jahci.ataport.WaitMode;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Java pipeline stamps every event at every stage, in pipeline order, never before it was sent. */
class JavaIrqPipelineTest {
    @Test
    @DisplayName("Every measured event has send <= wake <= isr <= worker <= synchronized <= workitem (fixed rate and "
            + "back to back, every wait mode), and the port threads are read back with their CPU time")
    void stampsInPipelineOrder() throws Exception {
        for (IrqSettings s : new IrqSettings[] {
                new IrqSettings(20_000, 500, 1000, 0, 0, WaitMode.BLOCK, true, true, 1, ThreadPlacement.none(), false),
                new IrqSettings(0, 500, 1000, 0, 0, WaitMode.BLOCK, false, false, 2, ThreadPlacement.none(), false),
                new IrqSettings(20_000, 500, 1000, 0, 0, WaitMode.SPIN, true, false, 1, ThreadPlacement.none(), false),
                new IrqSettings(0, 500, 1000, 0, 0, WaitMode.HYBRID, true, true, 1, ThreadPlacement.none(), false),
                new IrqSettings(20_000, 500, 1000, 0, 0, WaitMode.hybrid(20), true, false, 2, ThreadPlacement.none(), false)}) {
            JavaIrqPipeline.Result r = JavaIrqPipeline.run(s);
            for (String role : List.of("stimulus", "irq", "dispatch", "workitem")) {
                BenchThread t = r.threads().stream().filter(x -> x.role().equals(role)).findFirst().orElseThrow(
                        () -> new AssertionError(s.waitMode() + ": no " + role + " thread in " + r.threads()));
                assertEquals("SCHED_OTHER", t.policy(), t.toString());
                assertTrue(t.tid() > 0 && !t.cpus().isEmpty(), t.toString());
            }
            assertTrue(BenchThread.portCpuNanosPerEvent(r.threads(), r.run().measured()) > 0, "CPU per event");
            RawRun run = r.run();
            assertEquals(500, run.warmup());
            assertEquals(1500, run.total());
            Stage[] order = {Stage.SEND, Stage.WAKE, Stage.ISR, Stage.WORKER, Stage.SYNCHRONIZED, Stage.WORKITEM};
            for (int i = 0; i < run.total(); i++) {
                long previous = run.intended[i];
                for (Stage stage : order) {
                    long t = run.stamps.get(stage)[i];
                    assertTrue(t >= previous, stage + " of event " + i + " at " + t + " before " + previous);
                    previous = t;
                }
            }
            assertEquals(0, LatencyRecorder.record(run).clamped());
        }
    }
}
