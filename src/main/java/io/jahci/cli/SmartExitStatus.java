package io.jahci.cli;

import io.jahci.ahci.SelfTestLog;
import io.jahci.ahci.SmartAttribute;
import io.jahci.ahci.SmartHealth;
import io.jahci.disk.SmartReport;

/**
 * {@code smart --exit-status}: jahci's exit codes (0 healthy, 1 failing, 2 usage, 3 device, 4 runtime) or smartctl's
 * bit mask, for scripts written against smartctl. Both are documented in docs/errors.md. The smartctl bits set here:
 * <pre>
 * bit 0 (1)   the command line did not parse
 * bit 1 (2)   the controller or the disk could not be opened or identified
 * bit 2 (4)   a SMART command failed, or the SMART data or thresholds fail their checksum
 * bit 3 (8)   SMART RETURN STATUS says the disk is failing
 * bit 4 (16)  a pre-failure attribute is at or below its threshold now
 * bit 5 (32)  an attribute was at or below its threshold in the past (WORST), none is now
 * bit 7 (128) the self-test log holds a failed test not followed by a passed extended test
 * </pre>
 * Bit 6 (the device's error log holds errors) is never set: {@code smart} does not read that log.
 */
enum SmartExitStatus {
    JAHCI, SMARTCTL;

    static final int PARSE = 1;
    static final int OPEN = 1 << 1;
    static final int COMMAND = 1 << 2;
    static final int FAILING = 1 << 3;
    static final int PREFAIL_NOW = 1 << 4;
    static final int IN_THE_PAST = 1 << 5;
    static final int SELF_TEST_ERRORS = 1 << 7;

    /** The exit code of a report that was read. */
    int of(SmartReport report) {
        if (this == JAHCI) {
            return report.failing() ? Main.FINDING : 0;
        }
        int bits = 0;
        if (!report.data().dataChecksumValid() || !report.data().thresholdsChecksumValid()) {
            bits |= COMMAND;
        }
        if (report.health() == SmartHealth.FAILING) {
            bits |= FAILING;
        }
        for (SmartAttribute a : report.data().attributes()) {
            if (a.failing() && a.prefailure()) {
                bits |= PREFAIL_NOW;
            }
            if (a.failedInThePast()) {
                bits |= IN_THE_PAST;
            }
        }
        if (report.selfTests() != null) {
            for (SelfTestLog.Entry e : report.selfTests()) { // most recent first
                if ((e.test() & 0x7F) == 2 && e.status() == 0) {
                    break; // a passed extended self-test outdates older failures
                }
                if (e.status() >= 3 && e.status() <= 8) {
                    bits |= SELF_TEST_ERRORS;
                }
            }
        }
        return bits;
    }

    /** The exit code of a failure, {@code opened}: whether the disk was opened and identified before it. */
    int of(Exception e, boolean opened) {
        if (this == JAHCI) {
            return Main.exitCodeFor(e);
        }
        return opened ? COMMAND : OPEN;
    }
}
