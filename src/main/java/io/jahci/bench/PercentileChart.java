package io.jahci.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.Marker;

/**
 * A latency-by-percentile chart as HdrHistogram's plotter draws it: the x axis is log10(1/(1-percentile)), ticked at
 * whole nines only (0%, 90%, 99%, 99.9%, ...), so the tail gets as much room as the body; the y axis is latency in
 * us on a log scale. Each curve is sampled at ten points per nine, and its last point is the maximum, placed at
 * "1 in N" of its N values. PASSIVE; one thread builds a chart.
 */
final class PercentileChart {
    /** Samples per nine on the x axis (and markers drawn on each). */
    static final int SAMPLES_PER_NINE = 10;

    private final XYChart chart;
    private double nines = 1;

    PercentileChart(int width, int height, String yTitle) {
        chart = new XYChartBuilder().width(width).height(height).xAxisTitle("percentile").yAxisTitle(yTitle).build();
        Charts.style(chart);
        chart.getStyler().setYAxisLogarithmic(true);
    }

    /** One curve per pair (x = nines, y = us): the x and y lists of {@code histogram} (ns). */
    static List<List<Double>> curve(Histogram histogram) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        double last = lastNine(histogram);
        int samples = (int) Math.floor(last * SAMPLES_PER_NINE);
        for (int i = 0; i <= samples; i++) {
            double x = (double) i / SAMPLES_PER_NINE;
            xs.add(x);
            ys.add(microseconds(histogram.getValueAtPercentile(100 * (1 - Math.pow(10, -x)))));
        }
        if (xs.get(xs.size() - 1) < last) {
            xs.add(last);
        }
        if (ys.size() < xs.size()) {
            ys.add(microseconds(histogram.getMaxValue()));
        } else {
            ys.set(ys.size() - 1, microseconds(histogram.getMaxValue()));
        }
        return List.of(xs, ys);
    }

    /** log10 of the number of values (at least 1): where the maximum, "1 in N", sits on the x axis. */
    static double lastNine(Histogram histogram) {
        return Math.log10(Math.max(10, histogram.getTotalCount()));
    }

    /** Adds {@code histogram}'s curve (ns values) in {@code color}, {@code line} and {@code marker}. */
    void add(String name, Histogram histogram, Color color, BasicStroke line, Marker marker) {
        List<List<Double>> xy = curve(histogram);
        XYSeries s = chart.addSeries(name, xy.get(0), xy.get(1));
        s.setLineColor(color);
        s.setLineStyle(line);
        s.setMarker(marker);
        s.setMarkerColor(color);
        nines = Math.max(nines, lastNine(histogram));
    }

    /** The chart with its x axis ending at the last whole nine any curve reaches. */
    XYChart chart() {
        double axisMax = Math.ceil(nines - 1e-9);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(axisMax);
        chart.getStyler().setxAxisTickLabelsFormattingFunction(x -> percentileLabel(x, axisMax));
        return chart;
    }

    /**
     * The tick label at x = log10(1/(1-p)): whole nines as percentiles (0 -> "0%", 1 -> "90%", 3 -> "99.9%"), an empty
     * label between them. XChart formats every candidate tick, also just outside the axis, and widens its tick step
     * until all labels differ: values outside [0, {@code axisMax}] get a distinct label that is never drawn, and the
     * empty labels between nines make it settle on one tick per nine.
     */
    static String percentileLabel(double x, double axisMax) {
        if (x < -1e-9 || x > axisMax + 1e-9) {
            return Double.toString(x);
        }
        if (Math.abs(x - Math.rint(x)) > 1e-9) {
            return "";
        }
        int n = (int) Math.rint(x);
        return String.format(Locale.ROOT, "%." + Math.max(0, n - 2) + "f%%", 100 * (1 - Math.pow(10, -n)));
    }

    private static double microseconds(long nanos) {
        return Math.max(0.001, nanos / Hgrm.UNIT_NANOS);
    }
}
