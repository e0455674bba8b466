package io.jahci.bench;

import java.awt.BasicStroke;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The picture of a {@code bench irq} run: each stage's latency by percentile ({@link PercentileChart}), Java solid
 * and C dashed, one colour and marker shape per stage. A curve per hand-off: {@code isr} is left out, since the ISR
 * is entered on the interrupt thread right after it woke, with only the interrupt lock between, and its curve lies
 * on {@code wake}'s (within a few us; the table and the JSON keep it); {@code synchronized} likewise lies on
 * {@code worker}'s. Two stages of one side that still lie within {@link #SAME} of each other at every sampled
 * percentile are drawn once, named together ("Java worker = return"). PASSIVE.
 */
public final class IrqPlot {
    /** Stages drawn, when present, in this order: each begins on another thread than the one before. */
    static final List<Stage> PLOTTED = List.of(Stage.DOORBELL, Stage.WAKE, Stage.WORKER, Stage.WORKITEM, Stage.RETURN);
    /** Curves closer than this ratio everywhere are one curve on the chart: 2%, about a line's width. */
    static final double SAME = 1.02;
    public static final int WIDTH = 1200;
    static final int HEIGHT = 700;

    private IrqPlot() {}

    /** One curve: the stages it stands for and their (first stage's) histogram. */
    record Curve(List<Stage> stages, Histogram histogram) {
        String name(String side) {
            List<String> keys = stages.stream().map(Stage::key).toList();
            return side + " " + String.join(" = ", keys);
        }
    }

    /**
     * Draws {@code java} and {@code c} (null: none) into {@code file} (PNG) under {@code title} and {@code subtitle},
     * to which it adds which stages it merged.
     */
    static void save(Path file, String title, List<String> subtitle, LatencyRecorder java, LatencyRecorder c)
            throws IOException {
        PercentileChart chart = new PercentileChart(WIDTH, HEIGHT, "latency (us)");
        add(chart, "Java", curves(java.histograms()), Charts.SOLID);
        if (c != null) {
            add(chart, "C", curves(c.histograms()), Charts.DASHED);
        }
        List<String> lines = new ArrayList<>(subtitle);
        lines.add(String.format(Locale.ROOT, "isr (the ISR, entered right after wake on the same thread) is in the "
                + "table, not drawn; stages within %.0f%% of each other at every percentile are drawn once, named together",
                (SAME - 1) * 100));
        Charts.save(file, title, lines, List.of(chart.chart()));
    }

    /** The PNG's height (its width is {@link #WIDTH}). */
    public static int height() {
        return Charts.headerHeight() + HEIGHT;
    }

    private static void add(PercentileChart chart, String side, List<Curve> curves, BasicStroke line) {
        for (Curve curve : curves) {
            int style = PLOTTED.indexOf(curve.stages().get(0));
            chart.add(curve.name(side), curve.histogram(), Charts.COLORS[style % Charts.COLORS.length], line,
                    Charts.MARKERS[style % Charts.MARKERS.length]);
        }
    }

    /** The plotted stages of one side that have values, each stage drawing the same curve as an earlier one merged into it. */
    static List<Curve> curves(Map<Stage, Histogram> histograms) {
        List<Curve> curves = new ArrayList<>();
        for (Stage stage : PLOTTED) {
            Histogram h = histograms.get(stage);
            if (h == null || h.getTotalCount() == 0) {
                continue;
            }
            int same = -1;
            for (int i = 0; i < curves.size() && same < 0; i++) {
                if (same(curves.get(i).histogram(), h)) {
                    same = i;
                }
            }
            if (same < 0) {
                curves.add(new Curve(List.of(stage), h));
            } else {
                List<Stage> stages = new ArrayList<>(curves.get(same).stages());
                stages.add(stage);
                curves.set(same, new Curve(stages, curves.get(same).histogram()));
            }
        }
        return curves;
    }

    /** Whether {@code a} and {@code b} are within {@link #SAME} of each other at every sample of their curves. */
    static boolean same(Histogram a, Histogram b) {
        List<Double> ya = PercentileChart.curve(a).get(1);
        List<Double> yb = PercentileChart.curve(b).get(1);
        if (ya.size() != yb.size()) {
            return false;
        }
        for (int i = 0; i < ya.size(); i++) {
            double ratio = ya.get(i) / yb.get(i);
            if (ratio > SAME || ratio < 1 / SAME) {
                return false;
            }
        }
        return true;
    }
}
