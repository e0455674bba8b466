package io.jahci.bench;

import io.jahci.platform.Json;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** One stage's summary in nanoseconds: what the table and the JSON print. */
public record StageStats(long count, long p50, long p90, long p99, long p999, long max) {
    public static StageStats of(Histogram h) {
        return new StageStats(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
    }

    /** {@code {"count":N,"p50":ns,"p90":ns,"p99":ns,"p999":ns,"max":ns}}. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = Json.object();
        json.put("count", count);
        json.put("p50", p50);
        json.put("p90", p90);
        json.put("p99", p99);
        json.put("p999", p999);
        json.put("max", max);
        return json;
    }
}
