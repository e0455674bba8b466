package io.jahci.ahci;

/**
 * One SMART attribute: its entry in SMART READ DATA and its threshold from SMART READ THRESHOLDS
 * (the de-facto layout ACS-3 leaves vendor specific; see {@link SmartData}).
 *
 * @param id        attribute ID, 1..255
 * @param flags     the 16-bit flags word: bit 0 pre-failure (else advisory, "Old_age"), bit 1 collected on line
 * @param value     normalized current value, 1..253
 * @param worst     worst normalized value seen
 * @param raw       the 48-bit raw value (vendor specific meaning)
 * @param threshold failure threshold; 0 means the attribute never fails
 */
public record SmartAttribute(int id, int flags, int value, int worst, long raw, int threshold) {
    private static final BitField PREFAILURE = new BitField("PREFAILURE", 0, 1);
    private static final BitField ONLINE = new BitField("ONLINE", 1, 1);

    /** The attribute's common name, as smartctl prints it. */
    public String name() {
        return SmartAttributeNames.name(id);
    }

    /** Flags bit 0: crossing the threshold predicts failure ("Pre-fail"); else "Old_age". */
    public boolean prefailure() {
        return PREFAILURE.isSet(flags);
    }

    /** Flags bit 1: updated during normal operation ("Always"); else only by off-line collection. */
    public boolean online() {
        return ONLINE.isSet(flags);
    }

    /** The current value is at or below a non-zero threshold. */
    public boolean failing() {
        return threshold != 0 && value <= threshold;
    }

    /** The worst value was at or below a non-zero threshold, though the current one is not. */
    public boolean failedInThePast() {
        return !failing() && threshold != 0 && worst <= threshold;
    }

    /**
     * A temperature attribute's raw value decoded (190, 194, 231): the lowest byte is the temperature and, in the
     * common layouts {@code 00 00 HH LL xx TT} and {@code 00 00 00 HH LL TT} (bytes 5..0), the next bytes the
     * lifetime minimum and maximum.
     *
     * @param min lifetime minimum, or null when the raw value does not hold one
     * @param max lifetime maximum, or null likewise
     */
    public record Temperature(int celsius, Integer min, Integer max) {}

    /** The temperature this attribute's raw value holds, or null for an attribute that is no temperature. */
    public Temperature temperature() {
        if (id != 190 && id != 194 && id != 231) {
            return null;
        }
        int t = (int) (raw & 0xFF);
        int b1 = (int) (raw >>> 8 & 0xFF);
        int b2 = (int) (raw >>> 16 & 0xFF);
        int b3 = (int) (raw >>> 24 & 0xFF);
        int lo = b3 == 0 ? b1 : b2;
        int hi = b3 == 0 ? b2 : b3;
        boolean range = (raw >>> 32) == 0 && lo != 0 && hi != 0 && lo <= hi;
        return new Temperature(t, range ? lo : null, range ? hi : null);
    }

    /**
     * The raw value as smartctl shows it by default: a decimal number, except for the temperature attributes
     * ({@link #temperature}): {@code "31 (Min/Max 20/45)"}.
     */
    public String rawText() {
        Temperature t = temperature();
        if (t == null) {
            return Long.toString(raw);
        }
        return t.min() == null ? Integer.toString(t.celsius()) : t.celsius() + " (Min/Max " + t.min() + "/" + t.max() + ")";
    }

    /** smartctl's WHEN_FAILED column: {@code FAILING_NOW}, {@code In_the_past} or {@code -}. */
    public String whenFailed() {
        return failing() ? "FAILING_NOW" : failedInThePast() ? "In_the_past" : "-";
    }
}
