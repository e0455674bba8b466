package io.jahci.platform;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON of jahci's results ({@code --json} of the CLI), written by jackson-jr: a result describes itself as
 * {@link #object()} maps (fields in insertion order), lists, strings, booleans and numbers; {@link #write} turns that
 * into one line of JSON text (RFC 8259). Plumbing shared by the layers that print results (disk's {@code toJson},
 * bench, cli), not part of the Java API (io.jahci.disk, docs/library.md). Runs on the caller's thread (PASSIVE),
 * never on an I/O path.
 */
public final class Json {
    /** Writes null values too: a documented key is always there, null when it has no value. */
    private static final JSON WRITER = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES);

    private Json() {}

    /** An empty JSON object whose fields print in the order they are put. */
    public static Map<String, Object> object() {
        return new LinkedHashMap<>();
    }

    /** {@code value} (maps, lists, strings, numbers, booleans, null) as one line of JSON text. */
    public static String write(Object value) {
        try {
            return WRITER.asString(value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + value + " as JSON", e);
        }
    }

    /** {@code x} with exactly {@code decimals} decimals ({@code 1.500}), or null when it is not a finite number. */
    public static BigDecimal fixed(double x, int decimals) {
        return Double.isFinite(x) ? BigDecimal.valueOf(x).setScale(decimals, RoundingMode.HALF_UP) : null;
    }

    /** An integral {@code x} without a fraction ({@code 3}), any other with 3 decimals ({@code 0.009}). */
    public static Number number(double x) {
        if (x == Math.rint(x) && Math.abs(x) < 1e15) {
            return (long) x;
        }
        return fixed(x, 3);
    }
}
