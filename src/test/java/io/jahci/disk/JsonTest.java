package io.jahci.disk;

import io.jahci.platform.Json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jahci.testing.JsonReader;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The results' JSON as the CLI prints it: field order, fixed decimals, strings escaped by the library. */
class JsonTest {
    @Test
    void verifyResultKeepsItsFieldsOrderAndDecimalsAndEscapesTheMismatchText() throws Exception {
        PatternVerify.Result result = new PatternVerify.Result(8, 16,
                List.of(new PatternVerify.Mismatch(9, "holds \"LBA 3\"\nmisdirected")), 0.5, 1.23456);
        String text = Json.write(result.toJson());
        assertEquals("{\"passed\":false,\"firstLba\":8,\"sectors\":16,\"mismatches\":[{\"lba\":9,"
                + "\"what\":\"holds \\\"LBA 3\\\"\\nmisdirected\"}],\"writeSeconds\":0.500,\"readSeconds\":1.235}", text);
        Map<String, Object> back = JsonReader.object(text);
        assertEquals(List.of(Map.of("lba", 9, "what", "holds \"LBA 3\"\nmisdirected")), back.get("mismatches"));
    }

    @Test
    void numbersPrintIntegralWithoutAFractionOthersWithFixedDecimalsAndNonFiniteAsNull() {
        assertEquals("[3,0.009,1.500,12,null]", Json.write(Arrays.asList(Json.number(3.0), Json.number(0.0091),
                Json.fixed(1.5, 3), Json.fixed(12.4, 0), Json.fixed(Double.NaN, 3))));
    }
}
