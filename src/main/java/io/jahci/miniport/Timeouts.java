package io.jahci.miniport;

/**
 * Every wait the miniport does, named, with the spec section that sets it. Tunable per controller.
 *
 * @param biosHandoffMillis   BIOS/OS handoff: wait for BOHC.BOS to clear (AHCI 1.3.1 §10.6.3: 25 ms)
 * @param biosBusyMillis      ... and, when BOHC.BB is set, for the BIOS to finish (§10.6.3: 2 s)
 * @param hbaResetMillis      GHC.HR to read back 0 after an HBA reset (§10.4.3: 1 s)
 * @param portStopMillis      PxCMD.CR / PxCMD.FR to clear after ST / FRE are cleared (§10.1.2: 500 ms)
 * @param comresetHoldMillis  how long PxSCTL.DET=1 is held during COMRESET (§10.4.2: at least 1 ms)
 * @param presenceMillis      how long PxSSTS.DET may read 0 (nothing attached) before the port is
 *                            called empty; a device answers COMRESET with COMINIT within 10 ms (SATA 3.x §8.4)
 * @param linkUpMillis        PxSSTS.DET to reach 3 (device present, PHY up) after spin-up or COMRESET
 * @param deviceReadyMillis   PxTFD.STS.BSY and DRQ to clear after the link comes up (the device's
 *                            power-on reset and first D2H FIS: a disk spins up first). Bring-up waits
 *                            this long, sends COMRESET and waits as long again, so 16 s covers the 31 s
 *                            an ATA device may take to become ready after power-on
 * @param commandMillis       a command to complete before the port is declared stuck
 */
public record Timeouts(long biosHandoffMillis, long biosBusyMillis, long hbaResetMillis, long portStopMillis,
                       long comresetHoldMillis, long presenceMillis, long linkUpMillis, long deviceReadyMillis, long commandMillis) {
    public static final Timeouts DEFAULT = new Timeouts(25, 2_000, 1_000, 500, 1, 100, 1_000, 16_000, 30_000);

    public Timeouts withDeviceReadyMillis(long millis) {
        return new Timeouts(biosHandoffMillis, biosBusyMillis, hbaResetMillis, portStopMillis, comresetHoldMillis,
                presenceMillis, linkUpMillis, millis, commandMillis);
    }

    public Timeouts withCommandMillis(long millis) {
        return new Timeouts(biosHandoffMillis, biosBusyMillis, hbaResetMillis, portStopMillis, comresetHoldMillis,
                presenceMillis, linkUpMillis, deviceReadyMillis, millis);
    }
}
