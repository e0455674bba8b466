package io.jahci.ahci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SMART READ DATA / READ THRESHOLDS, health, power mode and self-test log, from bytes laid out by hand. */
class SmartDataTest {
    private static final int OFFSET = 16;

    private final ByteBuffer data = Buffers.dirty(OFFSET + 512);
    private final ByteBuffer thresholds = Buffers.dirty(OFFSET + 512);

    SmartDataTest() {
        for (int i = 0; i < 512; i++) {
            data.put(OFFSET + i, (byte) 0);
            thresholds.put(OFFSET + i, (byte) 0);
        }
    }

    private void entry(int slot, int id, int flags, int value, int worst, long raw, int threshold, int thresholdSlot) {
        int e = OFFSET + 2 + 12 * slot;
        data.put(e, (byte) id);
        data.putShort(e + 1, (short) flags);
        data.put(e + 3, (byte) value);
        data.put(e + 4, (byte) worst);
        for (int b = 0; b < 6; b++) {
            data.put(e + 5 + b, (byte) (raw >>> 8 * b));
        }
        int t = OFFSET + 2 + 12 * thresholdSlot;
        thresholds.put(t, (byte) id);
        thresholds.put(t + 1, (byte) threshold);
    }

    private static void sealChecksum(ByteBuffer buf) {
        int sum = 0;
        for (int i = 0; i < 511; i++) {
            sum += buf.get(OFFSET + i);
        }
        buf.put(OFFSET + 511, (byte) -sum);
    }

    @Test
    void decodesAttributesWithTheirThresholdsMatchedById() {
        data.putShort(OFFSET, (short) 1);
        entry(0, 1, 0x0003, 100, 100, 0, 6, 1);
        entry(1, 5, 0x0033, 100, 100, 0x0000_0102_0304L, 36, 0);   // thresholds in another order
        entry(2, 9, 0x0032, 98, 98, 0x0000_A1B2_C3D4_E5F6L, 0, 2);   // 48-bit raw, threshold 0
        entry(4, 199, 0x003E, 200, 200, 0, 0, 4);                     // slot 3 unused
        data.put(OFFSET + 367, (byte) 0x19);
        data.put(OFFSET + 370, (byte) 0x01);
        data.put(OFFSET + 372, (byte) 2);
        data.put(OFFSET + 373, (byte) 0x36);
        sealChecksum(data);
        sealChecksum(thresholds);

        SmartData smart = SmartData.parse(data, OFFSET, thresholds, OFFSET);
        List<SmartAttribute> attrs = smart.attributes();
        assertEquals(4, attrs.size());
        assertEquals(new SmartAttribute(1, 3, 100, 100, 0, 6), attrs.get(0));
        assertEquals(new SmartAttribute(5, 0x33, 100, 100, 0x0102_0304L, 36), attrs.get(1));
        assertEquals(0xA1B2_C3D4_E5F6L, attrs.get(2).raw());
        assertEquals("Power_On_Hours", attrs.get(2).name());
        assertEquals("UDMA_CRC_Error_Count", attrs.get(3).name());
        assertTrue(attrs.get(0).prefailure());
        assertTrue(attrs.get(0).online());
        assertFalse(attrs.get(2).prefailure());
        assertFalse(attrs.get(3).online() && attrs.get(3).prefailure());
        assertTrue(smart.failing().isEmpty());
        assertEquals(1, smart.revision());
        assertTrue(smart.selfTestSupported());
        assertTrue(smart.errorLoggingSupported());
        assertEquals(2, smart.shortTestMinutes());
        assertEquals(54, smart.extendedTestMinutes());
        assertTrue(smart.dataChecksumValid());
        assertTrue(smart.thresholdsChecksumValid());
        assertEquals("Completed without error", smart.selfTestStatusText());
    }

    @Test
    void decodesQemusCapturedReadDataAndThresholds() {
        ByteBuffer data = Captured.buffer(Captured.bytes("qemu-smart-read-data.bin"));
        ByteBuffer thresholds = Captured.buffer(Captured.bytes("qemu-smart-read-thresholds.bin"));
        SmartData smart = SmartData.parse(data, 0, thresholds, 0);
        assertEquals(List.of(
                new SmartAttribute(1, 0x03, 100, 100, 0, 6),
                new SmartAttribute(3, 0x03, 100, 100, 16, 0),
                new SmartAttribute(4, 0x02, 100, 100, 100, 20),
                new SmartAttribute(5, 0x03, 100, 100, 0, 36),
                new SmartAttribute(9, 0x03, 100, 100, 1, 0),
                new SmartAttribute(12, 0x03, 100, 100, 0, 0),
                new SmartAttribute(190, 0x03, 69, 69, 0x0000_1F1F_001FL, 50)), smart.attributes());
        assertEquals(1, smart.revision());
        assertTrue(smart.dataChecksumValid());
        assertTrue(smart.thresholdsChecksumValid());
        assertTrue(smart.selfTestSupported(), "byte 367 = 19h");
        assertTrue(smart.errorLoggingSupported());
        assertEquals(2, smart.shortTestMinutes());
        assertEquals(54, smart.extendedTestMinutes());
        assertEquals(0x82, smart.offlineStatus());
        assertTrue(smart.failing().isEmpty());
        assertEquals("Airflow_Temperature_Cel", smart.attributes().get(6).name());
        assertEquals("31 (Min/Max 31/31)", smart.attributes().get(6).rawText());
        ByteBuffer log = Captured.buffer(Captured.bytes("qemu-smart-self-test-log.bin"));
        assertTrue(SmartData.checksumValid(log, 0));
        assertTrue(SelfTestLog.parse(log, 0).isEmpty(), "QEMU has run no self-test");
    }

    @Test
    void anAttributeFailsAtOrBelowANonZeroThreshold() {
        entry(0, 5, 0x0033, 36, 36, 900, 36, 0);   // at the threshold: failing
        entry(1, 3, 0x0027, 70, 10, 0, 21, 1);     // worst was below: in the past
        entry(2, 194, 0x0022, 1, 1, 0, 0, 2);      // threshold 0 never fails
        SmartData smart = SmartData.parse(data, OFFSET, thresholds, OFFSET);
        assertEquals(List.of(smart.attributes().get(0)), smart.failing());
        assertEquals("FAILING_NOW", smart.attributes().get(0).whenFailed());
        assertEquals("In_the_past", smart.attributes().get(1).whenFailed());
        assertEquals("-", smart.attributes().get(2).whenFailed());
        assertFalse(smart.attributes().get(2).failing());
    }

    @Test
    void checksumsAreChecked() {
        entry(0, 1, 3, 100, 100, 0, 6, 0);
        sealChecksum(data);
        assertTrue(SmartData.parse(data, OFFSET, thresholds, OFFSET).dataChecksumValid());
        assertFalse(SmartData.parse(data, OFFSET, thresholds, OFFSET).thresholdsChecksumValid());
        data.put(OFFSET + 100, (byte) 1);
        assertFalse(SmartData.parse(data, OFFSET, thresholds, OFFSET).dataChecksumValid());
    }

    @Test
    void temperatureRawValuesReadAsSmartctlShowsThem() {
        assertEquals("31 (Min/Max 31/31)", new SmartAttribute(190, 3, 69, 69, 0x0000_1F1F_001FL, 50).rawText(),
                "00 00 HH LL xx TT, QEMU's airflow temperature");
        assertEquals("35 (Min/Max 20/45)", new SmartAttribute(194, 0x22, 35, 40, 0x0000_002D_1423L, 0).rawText(),
                "00 00 00 HH LL TT");
        assertEquals("40", new SmartAttribute(194, 0x22, 40, 40, 0x28L, 0).rawText());
        assertEquals("123456", new SmartAttribute(9, 0x32, 99, 99, 123456, 0).rawText());
    }

    @Test
    void unknownIdsHaveSmartctlsUnknownName() {
        assertEquals("Unknown_Attribute", SmartAttributeNames.name(0x80));
        assertEquals("Temperature_Celsius", SmartAttributeNames.name(194));
        assertEquals("Reallocated_Sector_Ct", SmartAttributeNames.name(5));
    }

    @Test
    void healthFromLbaMidAndHigh() {
        assertEquals(SmartHealth.PASSED, SmartHealth.of(0xC2_4F_00L));
        assertEquals(SmartHealth.FAILING, SmartHealth.of(0x2C_F4_00L));
        assertEquals(SmartHealth.PASSED, SmartHealth.of(0xAB_0000_C2_4F_D0L), "only mid and high count");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SmartHealth.of(0));
        assertTrue(e.getMessage().contains("00h/00h"), e.getMessage());
    }

    @Test
    void powerModeFromCount() {
        assertEquals(PowerMode.ACTIVE_OR_IDLE, PowerMode.of(0xFF));
        assertEquals("active/idle", PowerMode.of(0xFF).words());
        assertEquals(PowerMode.STANDBY, PowerMode.of(0x00));
        assertEquals(PowerMode.IDLE, PowerMode.of(0x80));
        assertEquals(PowerMode.IDLE_C, PowerMode.of(0x83));
        assertEquals(PowerMode.NV_CACHE_SPUN_UP, PowerMode.of(0x41));
        assertThrows(IllegalStateException.class, () -> PowerMode.of(0x12));
    }

    @Test
    void selfTestLogMostRecentFirstAcrossTheRingsEnd() {
        ByteBuffer log = Buffers.dirty(OFFSET + 512);
        for (int i = 0; i < 512; i++) {
            log.put(OFFSET + i, (byte) 0);
        }
        descriptor(log, 20, 0x02, 0x00, 1200, 0);          // oldest, in the ring's last slot
        descriptor(log, 0, 0x01, 0x74, 1234, 0x00ABCDEF);   // read failure at LBA 0xABCDEF, 40% remaining
        log.put(OFFSET + 508, (byte) 1);
        List<SelfTestLog.Entry> entries = SelfTestLog.parse(log, OFFSET);
        assertEquals(2, entries.size());
        SelfTestLog.Entry last = entries.get(0);
        assertEquals(1, last.number());
        assertEquals("Short offline", last.testName());
        assertEquals("Completed: read failure", last.statusText());
        assertEquals(40, last.remainingPercent());
        assertEquals(1234, last.lifetimeHours());
        assertEquals(0xABCDEF, last.failingLba());
        assertEquals("Extended offline", entries.get(1).testName());
        assertEquals("Completed without error", entries.get(1).statusText());
        assertEquals(-1, entries.get(1).failingLba());
        log.put(OFFSET + 508, (byte) 0);
        assertTrue(SelfTestLog.parse(log, OFFSET).isEmpty(), "index 0: no self-test logged");
    }

    private static void descriptor(ByteBuffer log, int index, int test, int status, int hours, int lba) {
        int d = OFFSET + 2 + 24 * index;
        log.put(d, (byte) test);
        log.put(d + 1, (byte) status);
        log.putShort(d + 2, (short) hours);
        log.putInt(d + 5, lba);
    }
}
