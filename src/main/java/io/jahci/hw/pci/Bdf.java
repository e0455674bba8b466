package io.jahci.hw.pci;

import java.util.regex.Pattern;

/**
 * A PCI function address in Linux's sysfs form, {@code DDDD:BB:DD.F} (domain, bus, device, function),
 * e.g. {@code 0000:00:05.0}. The short form {@code BB:DD.F} (as {@code lspci} prints it) means domain 0.
 */
public final class Bdf {
    /** The form error messages show. */
    public static final String EXAMPLE = "0000:00:05.0";
    private static final Pattern FULL = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\\.[0-7]");
    private static final Pattern SHORT = Pattern.compile("[0-9a-f]{2}:[01][0-9a-f]\\.[0-7]");

    private Bdf() {}

    /**
     * Returns {@code text} as a full lower-case address, or throws IllegalArgumentException naming
     * the expected form.
     */
    public static String parse(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
        if (FULL.matcher(s).matches()) {
            return s;
        }
        if (SHORT.matcher(s).matches()) {
            return "0000:" + s;
        }
        throw new IllegalArgumentException("'" + text + "' is not a PCI address: expected domain:bus:device.function"
                + " in hex, e.g. " + EXAMPLE + " (device 00-1f, function 0-7); `jahci list` shows the AHCI controllers");
    }
}
