package io.jahci.miniport;

import io.jahci.ahci.AtaCommand;
import io.jahci.ahci.AtaStatus;
import io.jahci.ahci.AtaTaskFile;
import io.jahci.ahci.PortIs;
import io.jahci.ahci.PortTfd;
import io.jahci.ataport.IoStatus;
import io.jahci.fault.AtaCommandException;
import io.jahci.fault.CommandNotSupportedException;
import io.jahci.fault.CommandTimeoutException;
import io.jahci.fault.ControllerLostException;
import io.jahci.fault.Fault;
import io.jahci.fault.NoDeviceException;
import io.jahci.fault.PortException;

/**
 * The exception a caller sees when one of a port's commands failed: which command, what the HBA
 * and the device said (PxIS, ATA status and error), what it means and what to do, and the
 * register history. Built in the command's completion (DISPATCH), only on failure.
 */
final class CommandFailure {
    private CommandFailure() {}

    /** The failure of command {@code c}, which completed with {@code status}. DISPATCH. */
    static PortException of(AhciPort port, AhciCommand c, IoStatus status, long commandMillis) {
        String range = c.sectors == 0 ? "" : ", LBA " + c.lba + ".." + (c.lba + c.sectors - 1) + " (" + c.sectors + " sectors)";
        String what = port.where() + ": " + AtaCommand.name(c.opcode) + range;
        if (c.lost) {
            return new ControllerLostException(what + " failed: " + port.loss().describe() + "\n" + port.history());
        }
        if (c.shortTransferBytes >= 0) {
            return new PortException(what + " failed: short transfer, the HBA moved " + c.shortTransferBytes + " of " + c.bytes
                    + " bytes (PRDBC, AHCI 1.3.1 §4.2.2) although the device reported success; its data was not used."
                    + " Check the cabling and the HBA.\n" + port.history(), Fault.SHORT_TRANSFER);
        }
        if (status == IoStatus.ABORTED) {
            return new PortException(what + " was aborted: the port was stopped.");
        }
        if (c.timedOut) {
            return new CommandTimeoutException(what + " did not complete within " + commandMillis
                    + " ms; the controller stopped answering. " + c.outcome + "\n" + port.history());
        }
        if (c.errorInterrupts == 0) {
            return port.state() == PortState.NO_DEVICE ? new NoDeviceException(what + " did not complete: " + c.outcome)
                    : new PortException(what + " did not complete: " + c.outcome, c.fault);
        }
        int st = PortTfd.STS.get(c.taskFile);
        int error = PortTfd.ERR.get(c.taskFile);
        if (c.callerTaskFile != null && !c.atapi && error == AtaStatus.ABRT.mask() && PortIs.TFES.isSet(c.errorInterrupts)) {
            AtaTaskFile tf = c.callerTaskFile;
            return new CommandNotSupportedException(String.format("%s: %s (features %04Xh, LBA %012Xh, count %04Xh) is "
                    + "not supported by this device: it answered ABRT (ATA status %s, error %s). Nothing was changed. %s",
                    port.where(), AtaCommand.name(tf.command()), tf.features(), tf.lba(), tf.count(),
                    AtaStatus.describe(st), AtaStatus.describeError(error), c.outcome), st, error, tf.lba());
        }
        String message = what + " failed: " + PortIs.describe(c.errorInterrupts) + ", ATA status "
                + AtaStatus.describe(st) + ", error " + AtaStatus.describeError(error) + ". " + advice(error) + " "
                + c.outcome + "\n" + port.history();
        if (PortIs.TFES.isSet(c.errorInterrupts)) {
            return new AtaCommandException(message, st, error, c.lba, c.sectors);
        }
        return new PortException(message);
    }

    private static String advice(int error) {
        if (AtaStatus.UNC.isSet(error)) {
            return "The medium could not be read there (UNC): those sectors are bad; rewrite them or replace the disk.";
        }
        if (AtaStatus.IDNF.isSet(error)) {
            return "The device did not find that address (IDNF): check the LBA against the disk's capacity.";
        }
        if (AtaStatus.ABRT.isSet(error)) {
            return "The device aborted the command (ABRT): it may not support it, or the medium failed.";
        }
        return "Check the disk's SMART data and cabling.";
    }
}
