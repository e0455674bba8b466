package io.jahci.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark plots' pieces: percentile ticks, merged duplicate curves, the summary statistics. */
class PlotTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("Percentile axis: whole nines only (0%, 90%, 99.9%), nothing between; outside the axis, distinct labels")
    void percentileLabels() {
        assertEquals("0%", PercentileChart.percentileLabel(0, 5));
        assertEquals("90%", PercentileChart.percentileLabel(1, 5));
        assertEquals("99%", PercentileChart.percentileLabel(2, 5));
        assertEquals("99.9%", PercentileChart.percentileLabel(3, 5));
        assertEquals("99.99%", PercentileChart.percentileLabel(4, 5));
        assertEquals("", PercentileChart.percentileLabel(0.5, 5), "no 68.4% tick");
        assertEquals("", PercentileChart.percentileLabel(1.5, 5), "no 96.8% tick");
        assertEquals("-1.0", PercentileChart.percentileLabel(-1, 5));
        assertEquals("6.0", PercentileChart.percentileLabel(6, 5));
    }

    @Test
    @DisplayName("A curve ends at its maximum, placed at log10(count): '1 in N'")
    void curveEndsAtTheMaximum() {
        Histogram h = LatencyRecorder.newHistogram();
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i * 1000L);
        }
        List<List<Double>> xy = PercentileChart.curve(h);
        List<Double> xs = xy.get(0);
        List<Double> ys = xy.get(1);
        assertEquals(3.0, xs.get(xs.size() - 1), 1e-9);
        assertEquals(h.getMaxValue() / 1000.0, ys.get(ys.size() - 1), 1e-9, "us");
        assertEquals(h.getValueAtPercentile(90) / 1000.0, ys.get(10), 1e-9, "x = 1 is p90");
        assertEquals(31, xs.size(), "ten samples per nine, and the last");
    }

    @Test
    @DisplayName("bench irq plot: isr is not drawn; a stage within 2% of an earlier one everywhere is drawn once, named with it")
    void duplicateCurvesAreMerged() {
        Map<Stage, Histogram> side = new EnumMap<>(Stage.class);
        Histogram wake = LatencyRecorder.newHistogram();
        Histogram isr = LatencyRecorder.newHistogram();
        Histogram worker = LatencyRecorder.newHistogram();
        Histogram back = LatencyRecorder.newHistogram();
        for (int i = 1; i <= 5000; i++) {
            long v = 20_000 + i * 13L % 9_000;
            wake.recordValue(v);
            isr.recordValue(v + 3_000); // 10-15% later: distinct, but isr is never drawn
            worker.recordValue(v * 2);
            back.recordValue(v * 2 + 150); // 150 ns later: under 1% of 40 us
        }
        side.put(Stage.WAKE, wake);
        side.put(Stage.ISR, isr);
        side.put(Stage.WORKER, worker);
        side.put(Stage.RETURN, back);
        side.put(Stage.SEND, wake); // not plotted
        List<IrqPlot.Curve> curves = IrqPlot.curves(side);
        assertEquals(2, curves.size(), curves.toString());
        assertEquals("C wake", curves.get(0).name("C"));
        assertEquals("Java worker = return", curves.get(1).name("Java"));
    }

    @Test
    @DisplayName("bench irq plot: a PNG of the expected size that ImageIO decodes")
    void irqPlotIsAPng() throws Exception {
        LatencyRecorder java = LatencyRecorder.record(run(3000));
        Path png = dir.resolve("irq.png");
        new IrqReport(java, 0, LatencyRecorder.record(run(2000))).plot(png, "title", List.of("one", "two"));
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "decodes");
        assertEquals(IrqPlot.WIDTH, image.getWidth());
        assertEquals(IrqPlot.height(), image.getHeight());
    }

    @Test
    @DisplayName("subtitle: long lines wrap at spaces to the width; more than fits is cut, ending in '...'")
    void subtitleWraps() {
        String note = QtestNote.text(150_000);
        List<String> wrapped = Charts.wrap(List.of(note), 500);
        assertTrue(wrapped.size() >= 2, wrapped.toString());
        assertEquals(note, String.join(" ", wrapped).replaceAll(" +", " "), "every word kept, in order");
        List<String> many = Charts.wrap(java.util.Collections.nCopies(10, note), 1200);
        assertEquals(Charts.SUBTITLE_LINES, many.size());
        assertTrue(many.get(many.size() - 1).endsWith(" ..."), many.toString());
    }

    @Test
    @DisplayName("min, mean and stdev are the recorded histogram's, in ns and in the JSON")
    void summaryStatistics() {
        Histogram h = LatencyRecorder.newHistogram();
        h.recordValue(1000);
        h.recordValue(2000);
        h.recordValue(6000);
        StageStats s = StageStats.of(h);
        assertEquals(3, s.count());
        assertEquals(1000, s.min());
        assertEquals(3000, s.mean(), 3000 * 1e-3, "3 significant digits");
        // population standard deviation of 1000, 2000, 6000: sqrt((4+1+9)/3) * 1000
        assertEquals(Math.sqrt(14.0 / 3) * 1000, s.stdev(), 10);
        assertEquals(List.of("count", "min", "mean", "stdev", "p50", "p90", "p99", "p999", "max"),
                List.copyOf(s.toJson().keySet()));
        StageStats empty = StageStats.of(LatencyRecorder.newHistogram());
        assertEquals(0, empty.min());
        assertEquals(0, empty.mean());
    }

    /** A run of {@code n} events with growing latencies at every stage. */
    private static RawRun run(int n) {
        RawRun r = new RawRun(n, Stage.WAKE, Stage.ISR, Stage.WORKER, Stage.WORKITEM);
        for (int i = 0; i < n; i++) {
            r.intended[i] = i * 1_000_000L;
            long d = 10_000 + (i * 7919L) % 50_000;
            r.stamps.get(Stage.WAKE)[i] = r.intended[i] + d;
            r.stamps.get(Stage.ISR)[i] = r.intended[i] + d + 100;
            r.stamps.get(Stage.WORKER)[i] = r.intended[i] + 2 * d;
            r.stamps.get(Stage.WORKITEM)[i] = r.intended[i] + 3 * d;
        }
        r.total = n;
        return r;
    }
}
