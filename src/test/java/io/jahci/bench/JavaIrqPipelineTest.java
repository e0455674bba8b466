package io.jahci.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Java pipeline stamps every event at every stage, in pipeline order, never before it was sent. */
class JavaIrqPipelineTest {
    @Test
    @DisplayName("Every measured event has send <= wake <= isr <= worker <= synchronized <= workitem (fixed rate and back to back)")
    void stampsInPipelineOrder() throws Exception {
        for (IrqSettings s : new IrqSettings[] {
                new IrqSettings(20_000, 500, 1000, 0, 0, false, true, true, 1),
                new IrqSettings(0, 500, 1000, 0, 0, false, false, false, 2)}) {
            JavaIrqPipeline.Result r = JavaIrqPipeline.run(s);
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
