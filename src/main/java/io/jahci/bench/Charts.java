package io.jahci.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * What the benchmark plots share: their look (colours, markers, line styles, fonts) and the PNG they are saved
 * in, a title and lines of subtitle (the run: its settings, the machine, the version) above one or more charts
 * stacked vertically. PASSIVE.
 */
final class Charts {
    /** Distinct colours, in the order curves get them. */
    static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b), new Color(0x17becf), new Color(0x7f7f7f)};
    /** Distinct marker shapes, in the same order, so curves differ without colour too. */
    static final Marker[] MARKERS = {SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND,
            SeriesMarkers.TRIANGLE_UP, SeriesMarkers.TRIANGLE_DOWN, SeriesMarkers.CROSS, SeriesMarkers.PLUS,
            SeriesMarkers.OVAL};
    static final BasicStroke SOLID = new BasicStroke(2.0f);
    static final BasicStroke DASHED = new BasicStroke(2.0f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10.0f,
            new float[] {7.0f, 4.0f}, 0.0f);

    private static final int TITLE_SIZE = 18;
    private static final int SUBTITLE_SIZE = 13;
    private static final int MARGIN = 10;
    /** Room for this many lines of subtitle (the run, the device, the machine, a note). */
    static final int SUBTITLE_LINES = 7;
    private static final Font SUBTITLE_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, SUBTITLE_SIZE);

    private Charts() {}

    /** The look every benchmark chart has: white, legend inside the top left, small markers, plain numbers. */
    static void style(XYChart chart) {
        Styler.LegendPosition legend = Styler.LegendPosition.InsideNW;
        var styler = chart.getStyler();
        styler.setLocale(Locale.ROOT);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setLegendPosition(legend);
        styler.setLegendBackgroundColor(new Color(255, 255, 255, 220));
        styler.setMarkerSize(6);
        styler.setChartTitleVisible(false);
        styler.setYAxisDecimalPattern("#,##0.###");
        styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    }

    /** The height of the title and the subtitle above the charts: every PNG of a kind has one size. */
    static int headerHeight() {
        return MARGIN + TITLE_SIZE + 6 + SUBTITLE_LINES * (SUBTITLE_SIZE + 5) + MARGIN;
    }

    /**
     * {@code lines}, each broken at spaces into lines that fit {@code width} pixels in the subtitle's font; at most
     * {@link #SUBTITLE_LINES}, the last ending in "..." when more were cut.
     */
    static List<String> wrap(List<String> lines, int width) {
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        try {
            FontMetrics metrics = g.getFontMetrics(SUBTITLE_FONT);
            List<String> out = new ArrayList<>();
            for (String line : lines) {
                StringBuilder current = new StringBuilder();
                for (String word : line.split(" ")) {
                    String next = current.length() == 0 ? word : current + " " + word;
                    if (current.length() > 0 && metrics.stringWidth(next) > width - 2 * MARGIN) {
                        out.add(current.toString());
                        current = new StringBuilder("    " + word);
                    } else {
                        current = new StringBuilder(next);
                    }
                }
                out.add(current.toString());
            }
            if (out.size() > SUBTITLE_LINES) {
                out = new ArrayList<>(out.subList(0, SUBTITLE_LINES));
                out.set(SUBTITLE_LINES - 1, out.get(SUBTITLE_LINES - 1) + " ...");
            }
            return out;
        } finally {
            g.dispose();
        }
    }

    /**
     * Saves {@code title}, then each line of {@code subtitle}, then {@code charts} one under the other (each at its
     * own size) as a PNG; creates the file's directory.
     */
    static void save(Path file, String title, List<String> subtitle, List<XYChart> charts) throws IOException {
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, TITLE_SIZE);
        int width = charts.stream().mapToInt(XYChart::getWidth).max().orElse(800);
        int header = headerHeight();
        int height = header + charts.stream().mapToInt(XYChart::getHeight).sum();
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(titleFont);
            int y = MARGIN + TITLE_SIZE;
            g.drawString(title, MARGIN, y);
            g.setFont(SUBTITLE_FONT);
            g.setColor(new Color(0x333333));
            y += 6;
            for (String line : wrap(subtitle, width)) {
                y += SUBTITLE_SIZE + 5;
                g.drawString(line, MARGIN, y);
            }
            int top = header;
            for (XYChart chart : charts) {
                Graphics2D part = (Graphics2D) g.create(0, top, chart.getWidth(), chart.getHeight());
                try {
                    chart.paint(part, chart.getWidth(), chart.getHeight());
                } finally {
                    part.dispose();
                }
                top += chart.getHeight();
            }
        } finally {
            g.dispose();
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer in this JVM for " + file);
        }
    }
}
