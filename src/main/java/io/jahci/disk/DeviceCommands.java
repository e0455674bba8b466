package io.jahci.disk;

import io.jahci.ahci.AtaCommand;
import io.jahci.ahci.AtaTaskFile;
import io.jahci.ahci.IdentifyData;
import io.jahci.ahci.PowerMode;
import io.jahci.ahci.SelfTestLog;
import io.jahci.ahci.SmartData;
import io.jahci.ahci.SmartHealth;
import io.jahci.miniport.AhciPort;
import io.jahci.miniport.CommandNotSupportedException;
import io.jahci.miniport.PortException;

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
        port.execute(AtaTaskFile.of(AtaCommand.IDENTIFY_DEVICE), data);
        return IdentifyData.parse(data, 0);
    }

    SmartReport smart(boolean enable) throws PortException {
        if (enable) {
            port.execute(smartCommand(AtaCommand.SMART_ENABLE_OPERATIONS, 0, 0), null);
        }
        SmartHealth health = SmartHealth.of(port.execute(smartCommand(AtaCommand.SMART_RETURN_STATUS, 0, 0), null).lba());
        ByteBuffer data = ByteBuffer.allocate(SmartData.SIZE);
        port.execute(smartCommand(AtaCommand.SMART_READ_DATA, 0, 0), data);
        ByteBuffer thresholds = ByteBuffer.allocate(SmartData.SIZE);
        port.execute(smartCommand(AtaCommand.SMART_READ_THRESHOLDS, 0, 0), thresholds);
        SmartData smart = SmartData.parse(data, 0, thresholds, 0);
        return new SmartReport(port.number(), health, smart, smart.selfTestSupported() ? selfTestLog() : null);
    }

    /** The self-test log, or null when the device aborts SMART READ LOG for it. */
    private List<SelfTestLog.Entry> selfTestLog() throws PortException {
        ByteBuffer log = ByteBuffer.allocate(SmartData.SIZE);
        try {
            port.execute(smartCommand(AtaCommand.SMART_READ_LOG, SelfTestLog.LOG_ADDRESS, 1), log);
        } catch (CommandNotSupportedException e) {
            return null;
        }
        return SelfTestLog.parse(log, 0);
    }

    PowerMode checkPowerMode() throws PortException {
        return PowerMode.of(port.execute(AtaTaskFile.of(AtaCommand.CHECK_POWER_MODE), null).count());
    }

    void nonData(int command, int features) throws PortException {
        port.execute(new AtaTaskFile(command, features, 0, 0, 0), null);
    }

    void sleep() throws PortException {
        port.execute(AtaTaskFile.of(AtaCommand.SLEEP), null);
    }

    /** A SMART command: subcommand in FEATURES, 4Fh/C2h in LBA mid/high, {@code lbaLow} in LBA 7:0. */
    private static AtaTaskFile smartCommand(int subcommand, int lbaLow, int count) {
        return new AtaTaskFile(AtaCommand.SMART, subcommand, AtaCommand.SMART_LBA_SIGNATURE | lbaLow, count, 0);
    }
}
