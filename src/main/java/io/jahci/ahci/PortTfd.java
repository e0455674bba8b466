package io.jahci.ahci;

/**
 * Fields of the port Task File Data register PxTFD (AHCI 1.3.1 §3.3.8): a copy of the device's ATA
 * status and error registers. Decode them with {@link AtaStatus}.
 */
public final class PortTfd {
    /** The ATA error register (ACS-3 §6.3). */
    public static final BitField ERR = new BitField("ERR", 8, 8);
    /** The ATA status register (ACS-3 §6.2). */
    public static final BitField STS = new BitField("STS", 0, 8);
    /** Status BSY: the device is busy. */
    public static final BitField STS_BSY = new BitField("BSY", 7, 1);
    /** Status DRQ: the device is ready to transfer data. */
    public static final BitField STS_DRQ = new BitField("DRQ", 3, 1);
    /** Status ERR: the ERR field holds the error of the last command. */
    public static final BitField STS_ERR = new BitField("ERR", 0, 1);

    private PortTfd() {
    }

    /** {@code tfd} decoded for diagnostics, e.g. {@code "STS=0x51 (DRDY DSC ERR) ERR=0x04 (ABRT)"}. */
    public static String describe(int tfd) {
        return "STS=" + AtaStatus.describe(STS.get(tfd))
                + " ERR=" + AtaStatus.describeError(ERR.get(tfd));
    }
}
