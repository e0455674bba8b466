package io.jahci.disk;

import io.jahci.ahci.SelfTestLog;
import io.jahci.ahci.SmartAttribute;
import io.jahci.ahci.SmartData;
import io.jahci.ahci.SmartHealth;

import java.util.ArrayList;
import java.util.List;

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
     * online, value, worst, threshold, raw, failing, whenFailed), {@code selfTests} (null without a log).
     */
    public String toJson() {
        List<String> attributes = new ArrayList<>();
        for (SmartAttribute a : data.attributes()) {
            attributes.add(String.format("{\"id\":%d,\"name\":%s,\"flags\":%d,\"prefailure\":%b,\"online\":%b,"
                            + "\"value\":%d,\"worst\":%d,\"threshold\":%d,\"raw\":%d,\"failing\":%b,\"whenFailed\":%s}",
                    a.id(), Json.string(a.name()), a.flags(), a.prefailure(), a.online(), a.value(), a.worst(),
                    a.threshold(), a.raw(), a.failing(), Json.string(a.whenFailed())));
        }
        String tests = "null";
        if (selfTests != null) {
            List<String> entries = new ArrayList<>();
            for (SelfTestLog.Entry e : selfTests) {
                entries.add(String.format("{\"number\":%d,\"test\":%s,\"status\":%s,\"remainingPercent\":%d,"
                                + "\"lifetimeHours\":%d,\"failingLba\":%s}", e.number(), Json.string(e.testName()),
                        Json.string(e.statusText()), e.remainingPercent(), e.lifetimeHours(),
                        e.failingLba() < 0 ? "null" : Long.toString(e.failingLba())));
            }
            tests = "[" + String.join(",", entries) + "]";
        }
        return String.format("{\"port\":%d,\"health\":%s,\"failing\":%b,\"attributes\":[%s],\"selfTests\":%s}",
                port, Json.string(health.name()), failing(), String.join(",", attributes), tests);
    }
}
