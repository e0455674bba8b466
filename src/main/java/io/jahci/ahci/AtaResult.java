package io.jahci.ahci;

/**
 * How a non-queued command ended, as the device said: its status and error registers, and the
 * LBA and COUNT registers of the Register D2H FIS it ended with (SATA 3.x §10.5.6). Commands
 * that return values there read them from {@link #lba} and {@link #count}: SMART RETURN STATUS
 * (LBA mid/high 4Fh/C2h: good, F4h/2Ch: threshold exceeded, ACS-3 §7.48.8) and CHECK POWER MODE
 * (COUNT: FFh active or idle, 00h standby, ACS-3 §7.3).
 *
 * @param status   ATA status (PxTFD.STS when the command completed)
 * @param error    ATA error (PxTFD.ERR when the command completed)
 * @param lba      LBA 47:0 of the D2H Register FIS; -1 when the command ended without one
 * @param count    COUNT 15:0 of the D2H Register FIS; -1 when the command ended without one
 */
public record AtaResult(int status, int error, long lba, int count) {
    /**
     * Whether the device ended the command with a D2H Register FIS, so {@link #lba} and
     * {@link #count} hold its registers. A PIO data-in command (IDENTIFY DEVICE, SMART READ DATA)
     * may end with a PIO Setup FIS instead, on real drives (QEMU sends a D2H FIS for every non-NCQ
     * command).
     */
    public boolean hasRegisters() {
        return lba >= 0;
    }
}
