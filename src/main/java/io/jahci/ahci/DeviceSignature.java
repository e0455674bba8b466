package io.jahci.ahci;

/**
 * The device class reported in PxSIG (AHCI 1.3.1 §3.3.9): the sector count and LBA registers of the
 * first D2H Register FIS after a reset, as SATA defines them (bits 31:24 LBA high, 23:16 LBA mid,
 * 15:8 LBA low, 7:0 sector count).
 */
public enum DeviceSignature {
    /** An ATA (disk) device. */
    ATA(0x00000101),
    /** An ATAPI (packet) device. */
    ATAPI(0xEB140101),
    /** An enclosure management bridge. */
    SEMB(0xC33C0101),
    /** A port multiplier. */
    PORT_MULTIPLIER(0x96690101),
    /** Any other value, e.g. 0xFFFFFFFF before the device has sent its first D2H FIS. */
    UNKNOWN(0);

    private final int value;

    DeviceSignature(int value) {
        this.value = value;
    }

    /** The PxSIG value of this device class; meaningless for {@link #UNKNOWN}. */
    public int value() {
        return value;
    }

    /** The device class whose signature is exactly {@code pxSig}, else {@link #UNKNOWN}. */
    public static DeviceSignature of(int pxSig) {
        for (DeviceSignature signature : values()) {
            if (signature != UNKNOWN && signature.value == pxSig) {
                return signature;
            }
        }
        return UNKNOWN;
    }
}
