package io.jahci.fault;

/** The device failed a command: ATA status has ERR (or DF) set, and the error register says why. */
public class AtaCommandException extends PortException {
    private final int status;
    private final int error;
    private final long lba;
    private final long sectors;

    public AtaCommandException(String message, int status, int error, long lba, long sectors) {
        super(message, Fault.DEVICE_ERROR);
        this.status = status;
        this.error = error;
        this.lba = lba;
        this.sectors = sectors;
    }

    /** ATA status register (PxTFD.STS). */
    public int status() {
        return status;
    }

    /** ATA error register (PxTFD.ERR). */
    public int error() {
        return error;
    }

    public long lba() {
        return lba;
    }

    public long sectors() {
        return sectors;
    }
}
