package io.jahci.fault;

/**
 * The device aborted a command it does not implement (ATA ERROR = ABRT alone, ACS-3 §6.3.2): not
 * a media error. No COMRESET follows: the device is idle, so recovery only restarts the command
 * engine (AHCI 1.3.1 §6.2.2.1).
 */
public final class CommandNotSupportedException extends AtaCommandException {
    public CommandNotSupportedException(String message, int status, int error, long lba) {
        super(message, status, error, lba, 0);
    }
}
