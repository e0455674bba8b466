package io.jahci.testing;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Reads the CLI's {@code --json} output with jackson-jr, the library that wrote it, and casts what tests look at. */
public final class JsonReader {
    private JsonReader() {}

    /** One JSON object of text. */
    public static Map<String, Object> object(String text) throws IOException {
        return JSON.std.mapFrom(text);
    }

    /** One JSON array of text. */
    public static List<Object> array(String text) throws IOException {
        return JSON.std.listFrom(text);
    }

    /** A value that must be a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Object value) {
        return (Map<String, Object>) value;
    }

    /** A value that must be a JSON array. */
    @SuppressWarnings("unchecked")
    public static List<Object> list(Object value) {
        return (List<Object>) value;
    }

    /** A value that must be a JSON number. */
    public static double number(Object value) {
        return ((Number) value).doubleValue();
    }
}
