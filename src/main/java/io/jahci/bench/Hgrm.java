package io.jahci.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;

/**
 * HdrHistogram percentile distribution files ({@code .hgrm}): the text {@link Histogram#outputPercentileDistribution}
 * writes, which HdrHistogram's plotter and {@code HistogramLogAnalyzer} read. Histograms hold nanoseconds; the
 * files give microseconds. PASSIVE.
 */
public final class Hgrm {
    /** Nanoseconds per value unit in the files: values in us. */
    public static final double UNIT_NANOS = 1000.0;
    /** Percentile rows per halving of the distance to 100%, as HdrHistogram's own examples use. */
    static final int TICKS_PER_HALF_DISTANCE = 5;

    private Hgrm() {}

    /** Writes {@code histogram} (ns) to {@code file}, values in us, creating its directory. */
    public static void write(Path file, Histogram histogram) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8)) {
            histogram.outputPercentileDistribution(out, TICKS_PER_HALF_DISTANCE, UNIT_NANOS);
        }
    }
}
