package io.jahci.disk;

import io.jahci.platform.Json;
import io.jahci.ahci.SelfTestLog;
import io.jahci.ahci.SmartAttribute;
import io.jahci.ahci.SmartData;
import io.jahci.ahci.SmartErrorLog;
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
        Map<String, Object> json = Json.object();
        json.put("port", port);
        json.put("health", health.name());
        json.put("failing", failing());
        json.put("attributes", attributes);
        json.put("selfTests", selfTestsJson(selfTests));
        return json;
    }

    /**
     * The self-test log as JSON: one object per entry (number, test, status, remainingPercent,
     * lifetimeHours, failingLba: null when no sector failed); null when the device keeps no log.
     */
    public static List<Map<String, Object>> selfTestsJson(List<SelfTestLog.Entry> selfTests) {
        if (selfTests == null) {
            return null;
        }
        List<Map<String, Object>> tests = new ArrayList<>();
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
        return tests;
    }

    /**
     * The Summary SMART Error log as JSON: {@code errorCount} and {@code errors} (number, error, status,
     * count, lba, state, lifetimeHours), both null when the device keeps no log.
     */
    public static Map<String, Object> errorLogJson(SmartErrorLog log) {
        Map<String, Object> json = Json.object();
        List<Map<String, Object>> errors = null;
        if (log != null) {
            errors = new ArrayList<>();
            for (SmartErrorLog.Entry e : log.errors()) {
                Map<String, Object> entry = Json.object();
                entry.put("number", e.number());
                entry.put("error", e.error());
                entry.put("status", e.status());
                entry.put("count", e.count());
                entry.put("lba", e.lba());
                entry.put("state", e.state());
                entry.put("lifetimeHours", e.lifetimeHours());
                errors.add(entry);
            }
        }
        json.put("errorCount", log == null ? null : log.errorCount());
        json.put("errors", errors);
        return json;
    }
}
