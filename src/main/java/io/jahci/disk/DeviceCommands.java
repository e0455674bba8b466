package io.jahci.disk;

import io.jahci.ahci.AtaCommand;
import io.jahci.ahci.AtaTaskFile;
import io.jahci.ahci.IdentifyData;
import io.jahci.ahci.PowerMode;
import io.jahci.ahci.SelfTestLog;
import io.jahci.ahci.SmartData;
import io.jahci.ahci.SmartErrorLog;
import io.jahci.ahci.SmartHealth;
import io.jahci.fault.CommandNotSupportedException;
import io.jahci.fault.PortException;
import io.jahci.miniport.AhciPort;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The non-queued ATA commands of a disk's life besides reading and writing: IDENTIFY DEVICE again,
 * SMART (ACS-3 §7.49), the power commands (§7.3, §7.15, §7.52, §7.54) and SET FEATURES (§7.48),
 * each one command through the port's generic path. PASSIVE.
 */
final class DeviceCommands {
    private final AhciPort port;

    DeviceCommands(AhciPort port) {
        this.port = port;
    }

    IdentifyData identify() throws PortException {
        ByteBuffer data = ByteBuffer.allocate(IdentifyData.SIZE);
        port.io().execute(AtaTaskFile.dataIn(AtaCommand.IDENTIFY_DEVICE, 0, 0, 0, 0, IdentifyData.SIZE), data);
        return IdentifyData.parse(data, 0);
    }

    SmartReport smart(boolean enable) throws PortException {
        if (enable) {
            port.io().execute(smartNonData(AtaCommand.SMART_ENABLE_OPERATIONS), null);
        }
        SmartHealth health = SmartHealth.of(port.io().execute(smartNonData(AtaCommand.SMART_RETURN_STATUS), null).lba());
        ByteBuffer data = ByteBuffer.allocate(SmartData.SIZE);
        port.io().execute(smartDataIn(AtaCommand.SMART_READ_DATA, 0, 0), data);
        ByteBuffer thresholds = ByteBuffer.allocate(SmartData.SIZE);
        port.io().execute(smartDataIn(AtaCommand.SMART_READ_THRESHOLDS, 0, 0), thresholds);
        SmartData smart = SmartData.parse(data, 0, thresholds, 0);
        return new SmartReport(port.number(), health, smart, smart.selfTestSupported() ? selfTestLog() : null);
    }

    /** The self-test log, or null when the device aborts SMART READ LOG for it. */
    List<SelfTestLog.Entry> selfTestLog() throws PortException {
        ByteBuffer log = readSmartLog(SelfTestLog.LOG_ADDRESS);
        return log == null ? null : SelfTestLog.parse(log, 0);
    }

    /** The Summary SMART Error log, or null when the device aborts SMART READ LOG for it. */
    SmartErrorLog errorLog() throws PortException {
        ByteBuffer log = readSmartLog(SmartErrorLog.LOG_ADDRESS);
        return log == null ? null : SmartErrorLog.parse(log, 0);
    }

    /** SMART READ LOG of one 512-byte page at {@code address}, or null when the device aborts it (ABRT). */
    private ByteBuffer readSmartLog(int address) throws PortException {
        ByteBuffer log = ByteBuffer.allocate(SmartData.SIZE);
        try {
            port.io().execute(smartDataIn(AtaCommand.SMART_READ_LOG, address, 1), log);
        } catch (CommandNotSupportedException e) {
            return null;
        }
        return log;
    }

    /** SMART EXECUTE OFF-LINE IMMEDIATE with the routine {@code test} names in LBA 7:0 (ACS-3 §7.49.5). */
    void selfTest(SelfTest test) throws PortException {
        port.io().execute(AtaTaskFile.nonData(AtaCommand.SMART, AtaCommand.SMART_EXECUTE_OFFLINE_IMMEDIATE,
                AtaCommand.SMART_LBA_SIGNATURE | test.routine(), 0, 0), null);
    }

    PowerMode checkPowerMode() throws PortException {
        return PowerMode.of(port.io().execute(AtaTaskFile.nonData(AtaCommand.CHECK_POWER_MODE, 0, 0, 0, 0), null).count());
    }

    void nonData(int command, int features) throws PortException {
        port.io().execute(AtaTaskFile.nonData(command, features, 0, 0, 0), null);
    }

    void sleep() throws PortException {
        port.io().execute(AtaTaskFile.nonData(AtaCommand.SLEEP, 0, 0, 0, 0), null);
    }

    /** A non-data SMART command: subcommand in FEATURES, 4Fh/C2h in LBA mid/high. */
    private static AtaTaskFile smartNonData(int subcommand) {
        return AtaTaskFile.nonData(AtaCommand.SMART, subcommand, AtaCommand.SMART_LBA_SIGNATURE, 0, 0);
    }

    /** A SMART command reading one 512-byte block: {@code lbaLow} in LBA 7:0 (READ LOG's log address). */
    private static AtaTaskFile smartDataIn(int subcommand, int lbaLow, int count) {
        return AtaTaskFile.dataIn(AtaCommand.SMART, subcommand, AtaCommand.SMART_LBA_SIGNATURE | lbaLow, count, 0,
                SmartData.SIZE);
    }
}
