package io.jahci.disk;

import io.jahci.ahci.SelfTestLog;
import io.jahci.ahci.SmartAttribute;
import io.jahci.ahci.SmartData;
import io.jahci.ahci.SmartHealth;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a disk says about its health: SMART RETURN STATUS, READ DATA with READ THRESHOLDS, and the
 * self-test log when the device keeps one (ACS-3 §7.49).
 *
 * @param selfTests the self-test log, most recent first; null when the device keeps none
 */
public record SmartReport(int port, SmartHealth health, SmartData data, List<SelfTestLog.Entry> selfTests) {
    /** The device says a threshold was exceeded, or an attribute is at or below its threshold now. */
    public boolean failing() {
        return health == SmartHealth.FAILING || !data.failing().isEmpty();
    }

    /**
     * One JSON object: {@code port}, {@code health} ("PASSED"/"FAILING" as the device says it),
     * {@code failing} (the exit-code verdict), {@code attributes} (id, name, flags, prefailure,
     * online, value, worst, threshold, raw, rawText (the raw value as smartctl's table shows it), temperature
     * ({celsius, min, max} for attributes 190, 194, 231, else null), failing, whenFailed), {@code selfTests} (null
     * without a log; an entry's failingLba null when no sector failed).
     */
    public Map<String, Object> toJson() {
        List<Map<String, Object>> attributes = new ArrayList<>();
        for (SmartAttribute a : data.attributes()) {
            Map<String, Object> json = Json.object();
            json.put("id", a.id());
            json.put("name", a.name());
            json.put("flags", a.flags());
            json.put("prefailure", a.prefailure());
            json.put("online", a.online());
            json.put("value", a.value());
            json.put("worst", a.worst());
            json.put("threshold", a.threshold());
            json.put("raw", a.raw());
            json.put("rawText", a.rawText());
            SmartAttribute.Temperature t = a.temperature();
            Map<String, Object> temperature = null;
            if (t != null) {
                temperature = Json.object();
                temperature.put("celsius", t.celsius());
                temperature.put("min", t.min());
                temperature.put("max", t.max());
            }
            json.put("temperature", temperature);
            json.put("failing", a.failing());
            json.put("whenFailed", a.whenFailed());
            attributes.add(json);
        }
        List<Map<String, Object>> tests = null;
        if (selfTests != null) {
            tests = new ArrayList<>();
            for (SelfTestLog.Entry e : selfTests) {
                Map<String, Object> json = Json.object();
                json.put("number", e.number());
                json.put("test", e.testName());
                json.put("status", e.statusText());
                json.put("remainingPercent", e.remainingPercent());
                json.put("lifetimeHours", e.lifetimeHours());
                json.put("failingLba", e.failingLba() < 0 ? null : e.failingLba());
                tests.add(json);
            }
        }
        Map<String, Object> json = Json.object();
        json.put("port", port);
        json.put("health", health.name());
        json.put("failing", failing());
        json.put("attributes", attributes);
        json.put("selfTests", tests);
        return json;
    }
}
