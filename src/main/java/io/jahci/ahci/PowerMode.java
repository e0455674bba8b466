package io.jahci.ahci;

/**
 * The power mode CHECK POWER MODE (ACS-3 §7.3, command E5h) reports in the COUNT field of its
 * response, with the words {@code hdparm -C} prints for it.
 */
public enum PowerMode {
    /** 00h: Standby (ACS-3 PM2). */
    STANDBY(0x00, "standby"),
    /** 40h: NV cache power mode, spindle spun down (ATA8-ACS). */
    NV_CACHE_SPUN_DOWN(0x40, "NVcache_spindown"),
    /** 41h: NV cache power mode, spindle spun up (ATA8-ACS). */
    NV_CACHE_SPUN_UP(0x41, "NVcache_spinup"),
    /** 80h: Idle (PM1). */
    IDLE(0x80, "idle"),
    /** 81h: Idle_a. */
    IDLE_A(0x81, "idle_a"),
    /** 82h: Idle_b. */
    IDLE_B(0x82, "idle_b"),
    /** 83h: Idle_c. */
    IDLE_C(0x83, "idle_c"),
    /** FFh: Active or Idle (PM0/PM1). */
    ACTIVE_OR_IDLE(0xFF, "active/idle");

    private final int count;
    private final String words;

    PowerMode(int count, String words) {
        this.count = count;
        this.words = words;
    }

    /** Whether the spindle is down in this mode (Standby, NV cache spun down): a media access spins it up. */
    public boolean spunDown() {
        return this == STANDBY || this == NV_CACHE_SPUN_DOWN;
    }

    /** The COUNT value that means this mode. */
    public int count() {
        return count;
    }

    /** The mode as {@code hdparm -C} says it, e.g. {@code "active/idle"}. */
    public String words() {
        return words;
    }

    /** The mode COUNT 7:0 {@code count} reports; an IllegalStateException naming any value ACS-3 does not define. */
    public static PowerMode of(int count) {
        for (PowerMode mode : values()) {
            if (mode.count == (count & 0xFF)) {
                return mode;
            }
        }
        throw new IllegalStateException(String.format("CHECK POWER MODE answered COUNT %02Xh, which ACS-3 does "
                + "not define", count & 0xFF));
    }
}
