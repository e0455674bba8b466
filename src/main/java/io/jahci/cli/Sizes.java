package io.jahci.cli;

import picocli.CommandLine.ITypeConverter;

import java.util.Locale;

/**
 * Byte counts for people, both ways: {@link #human} prints 64 MiB, {@link #parse} reads the sizes every option of
 * the command line takes ({@code --bs}, {@code --size}): bytes, or a number with a binary unit, k/m/g/t or
 * KiB/MiB/GiB/TiB (both mean powers of 1024, as in fio and hdparm).
 */
final class Sizes {
    private static final String[] UNITS = {"", "k", "m", "g", "t"};

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

    /**
     * {@code 4096}, {@code 4k}, {@code 128K}, {@code 1m}, {@code 1g}, {@code 2t}, {@code 4KiB}, {@code 1GiB}: bytes.
     *
     * @throws IllegalArgumentException saying what a size looks like
     */
    static long parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("ib")) {
            t = t.substring(0, t.length() - 2);
            if (t.isEmpty() || !Character.isLetter(t.charAt(t.length() - 1))) {
                throw notASize();
            }
        }
        int shift = 0;
        if (!t.isEmpty() && Character.isLetter(t.charAt(t.length() - 1))) {
            String unit = t.substring(t.length() - 1);
            int i = java.util.Arrays.asList(UNITS).indexOf(unit);
            if (i <= 0) {
                throw notASize();
            }
            shift = 10 * i;
            t = t.substring(0, t.length() - 1);
        }
        long n;
        try {
            n = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw notASize();
        }
        if (n <= 0) {
            throw new IllegalArgumentException("a size must be more than 0 bytes");
        }
        if (n > Long.MAX_VALUE >> shift) {
            throw new IllegalArgumentException("more bytes than a disk can hold");
        }
        return n << shift;
    }

    private static IllegalArgumentException notASize() {
        return new IllegalArgumentException("not a size: give bytes or a number with k, m, g, t (KiB, MiB, GiB, TiB)");
    }

    /** picocli's converter for size options: {@link #parse}. */
    static final class Converter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new OptionTypes.Invalid(e.getMessage(), "1g");
            }
        }
    }
}
