package io.jahci.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/**
 * The picture of a {@code bench io} run: above, each job's latency by percentile (HdrHistogram-plotter style, see
 * {@link PercentileChart}); below, each job's completions per second in 100 ms intervals ({@link IoTimeline}),
 * its warm-up (when there was one) left of 0, so that warm-up, stalls and drops show. PASSIVE.
 */
public final class IoPlot {
    public static final int WIDTH = 1200;
    static final int LATENCY_HEIGHT = 560;
    static final int IOPS_HEIGHT = 380;

    /** One job as plotted: its name, its measured run and its warm-up run (null without one). */
    public record Job(String name, IoBench.Result measured, IoBench.Result warmup) {}

    private IoPlot() {}

    /** The PNG's size: {@link #WIDTH} by this. */
    public static int height() {
        return Charts.headerHeight() + LATENCY_HEIGHT + IOPS_HEIGHT;
    }

    /** Draws {@code jobs} under {@code title} and {@code subtitle} into {@code file} (PNG). */
    public static void save(Path file, String title, List<String> subtitle, List<Job> jobs) throws IOException {
        PercentileChart latency = new PercentileChart(WIDTH, LATENCY_HEIGHT, "latency, submit to completion (us)");
        XYChart iops = new XYChartBuilder().width(WIDTH).height(IOPS_HEIGHT)
                .xAxisTitle(jobs.stream().anyMatch(j -> j.warmup() != null)
                        ? "seconds (warm-up, not measured, left of 0)" : "seconds")
                .yAxisTitle("completions per second, 100 ms intervals").build();
        Charts.style(iops);
        iops.getStyler().setYAxisMin(0.0);
        boolean warmedUp = false;
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            latency.add(job.name(), job.measured().histogram(), Charts.COLORS[i % Charts.COLORS.length], Charts.SOLID,
                    Charts.MARKERS[i % Charts.MARKERS.length]);
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            if (job.warmup() != null) {
                points(job.warmup().timeline(), -job.warmup().seconds(), xs, ys);
                warmedUp = true;
            }
            points(job.measured().timeline(), 0, xs, ys);
            XYSeries s = iops.addSeries(job.name(), xs, ys);
            s.setLineColor(Charts.COLORS[i % Charts.COLORS.length]);
            s.setLineStyle(Charts.SOLID);
            s.setMarker(Charts.MARKERS[i % Charts.MARKERS.length]);
            s.setMarkerColor(Charts.COLORS[i % Charts.COLORS.length]);
        }
        if (warmedUp) {
            iops.addAnnotation(new AnnotationLine(0, true, false));
        }
        Charts.save(file, title, subtitle, List.of(latency.chart(), iops));
    }

    /** Each interval of {@code timeline} at its middle, shifted by {@code offset} seconds. */
    private static void points(IoTimeline timeline, double offset, List<Double> xs, List<Double> ys) {
        for (int i = 0; i < timeline.intervals(); i++) {
            xs.add(offset + timeline.startSeconds(i) + timeline.seconds(i) / 2);
            ys.add(timeline.iops(i));
        }
    }
}
