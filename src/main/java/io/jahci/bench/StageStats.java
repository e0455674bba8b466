package io.jahci.bench;

import io.jahci.platform.Json;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * One latency distribution's summary in nanoseconds, as HdrHistogram reports it for the recorded
 * values (3 significant digits): what the tables and the JSON print.
 */
public record StageStats(long count, long min, double mean, double stdev, long p50, long p90, long p99, long p999,
        long max) {
    public static StageStats of(Histogram h) {
        long count = h.getTotalCount();
        return new StageStats(count, count == 0 ? 0 : h.getMinValue(), count == 0 ? 0 : h.getMean(),
                count == 0 ? 0 : h.getStdDeviation(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
    }

    /** {@code {"count":N,"min":ns,"mean":ns,"stdev":ns,"p50":ns,"p90":ns,"p99":ns,"p999":ns,"max":ns}}. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = Json.object();
        json.put("count", count);
        json.put("min", min);
        json.put("mean", Json.fixed(mean, 1));
        json.put("stdev", Json.fixed(stdev, 1));
        json.put("p50", p50);
        json.put("p90", p90);
        json.put("p99", p99);
        json.put("p999", p999);
        json.put("max", max);
        return json;
    }
}
