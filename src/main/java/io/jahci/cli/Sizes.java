package io.jahci.cli;

/** Byte counts for people: 64 MiB, 1.5 GiB. */
final class Sizes {
    private Sizes() {}

    static String human(long bytes) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " bytes" : (value == Math.rint(value) ? String.format("%.0f %s", value, units[unit])
                : String.format("%.1f %s", value, units[unit]));
    }
}
