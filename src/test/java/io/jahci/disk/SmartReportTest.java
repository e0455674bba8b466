package io.jahci.disk;

import io.jahci.platform.Json;
import io.jahci.ahci.SelfTestLog;
import io.jahci.ahci.SmartData;
import io.jahci.ahci.SmartHealth;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The smart command's verdict (its exit code) and JSON shape, on READ DATA laid out by hand. */
class SmartReportTest {
    /** READ DATA with one attribute (5, value {@code value}) and READ THRESHOLDS with its threshold 36. */
    private static SmartData data(int value) {
        ByteBuffer data = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer thresholds = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        data.put(2, (byte) 5).putShort(3, (short) 0x33).put(5, (byte) value).put(6, (byte) value).put(7, (byte) 12);
        thresholds.put(2, (byte) 5).put(3, (byte) 36);
        return SmartData.parse(data, 0, thresholds, 0);
    }

    @Test
    void failingWhenTheDeviceSaysSoOrAnAttributeIsAtItsThreshold() {
        assertFalse(new SmartReport(0, SmartHealth.PASSED, data(100), List.of()).failing());
        assertTrue(new SmartReport(0, SmartHealth.FAILING, data(100), List.of()).failing());
        assertTrue(new SmartReport(0, SmartHealth.PASSED, data(36), List.of()).failing(), "value at threshold");
    }

    @Test
    void jsonShape() {
        String json = Json.write(new SmartReport(2, SmartHealth.PASSED, data(36),
                List.of(new SelfTestLog.Entry(1, 1, 7, 40, 1234, 0xABCDEF))).toJson());
        
        assertEquals("{\"port\":2,\"health\":\"PASSED\",\"failing\":true,\"attributes\":[{\"id\":5,"
                + "\"name\":\"Reallocated_Sector_Ct\",\"flags\":51,\"prefailure\":true,\"online\":true,\"value\":36,"
                + "\"worst\":36,\"threshold\":36,\"raw\":12,\"rawText\":\"12\",\"temperature\":null,\"failing\":true,"
                + "\"whenFailed\":\"FAILING_NOW\"}],"
                + "\"selfTests\":[{\"number\":1,\"test\":\"Short offline\",\"status\":\"Completed: read failure\","
                + "\"remainingPercent\":40,\"lifetimeHours\":1234,\"failingLba\":11259375}]}", json);
        assertTrue(Json.write(new SmartReport(0, SmartHealth.PASSED, data(100), null).toJson())
                .endsWith(",\"selfTests\":null}"), "no self-test log: selfTests is there, null");
    }
}
