package io.jahci.miniport;

/**
 * The device aborted a command it does not implement (ATA ERROR = ABRT alone, ACS-3 §6.3.2): not
 * a media error. No COMRESET follows: the device is idle, so recovery only restarts the command
 * engine (AHCI 1.3.1 §6.2.2.1).
 */
public final class CommandNotSupportedException extends PortException {
    private final int status;
    private final int error;

    public CommandNotSupportedException(String message, int status, int error) {
        super(message);
        this.status = status;
        this.error = error;
    }

    /** ATA status register. */
    public int status() {
        return status;
    }

    /** ATA error register (ABRT). */
    public int error() {
        return error;
    }
}
