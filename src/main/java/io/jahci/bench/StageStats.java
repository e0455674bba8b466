package io.jahci.bench;

import org.HdrHistogram.Histogram;

/** One stage's summary in nanoseconds: what the table and the JSON print. */
public record StageStats(long count, long p50, long p90, long p99, long p999, long max) {
    public static StageStats of(Histogram h) {
        return new StageStats(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
    }

    /** {@code {"count":N,"p50":ns,"p90":ns,"p99":ns,"p999":ns,"max":ns}}. */
    public String toJson() {
        return "{\"count\":" + count + ",\"p50\":" + p50 + ",\"p90\":" + p90 + ",\"p99\":" + p99 + ",\"p999\":" + p999
                + ",\"max\":" + max + "}";
    }
}
