package io.jahci.ahci;

/**
 * The device's verdict in SMART RETURN STATUS (ACS-3 §7.49.8, command B0h feature DAh): the LBA mid
 * and LBA high fields of its response. 4Fh/C2h: no threshold exceeded; F4h/2Ch: a pre-failure
 * threshold was exceeded.
 */
public enum SmartHealth {
    PASSED(0x4F, 0xC2),
    FAILING(0xF4, 0x2C);

    private final int lbaMid;
    private final int lbaHigh;

    SmartHealth(int lbaMid, int lbaHigh) {
        this.lbaMid = lbaMid;
        this.lbaHigh = lbaHigh;
    }

    /** LBA 15:8 of the response. */
    public int lbaMid() {
        return lbaMid;
    }

    /** LBA 23:16 of the response. */
    public int lbaHigh() {
        return lbaHigh;
    }

    /**
     * The health that LBA 47:0 of a SMART RETURN STATUS response says, or an IllegalStateException
     * naming the values when they are neither signature.
     */
    public static SmartHealth of(long lba) {
        int mid = (int) (lba >>> 8) & 0xFF;
        int high = (int) (lba >>> 16) & 0xFF;
        for (SmartHealth h : values()) {
            if (h.lbaMid == mid && h.lbaHigh == high) {
                return h;
            }
        }
        throw new IllegalStateException(String.format("SMART RETURN STATUS answered LBA mid/high %02Xh/%02Xh, "
                + "neither 4Fh/C2h (passed) nor F4h/2Ch (threshold exceeded): the device does not report its "
                + "health this way", mid, high));
    }
}
