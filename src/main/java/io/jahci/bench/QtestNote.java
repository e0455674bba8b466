package io.jahci.bench;

import java.util.Locale;

/**
 * What a benchmark over the QEMU transport measures, in the words its text output and plots carry: every register
 * access is a qtest socket round trip and the interrupt arrives as a line on that socket, so the numbers describe
 * the transport and the emulator, not a disk.
 */
public final class QtestNote {
    private QtestNote() {}

    /**
     * The note; with {@code registerAccessNanos} > 0 (the transport's measured round trip) it says how long one
     * register access took here.
     */
    public static String text(long registerAccessNanos) {
        String here = registerAccessNanos > 0
                ? String.format(Locale.ROOT, "about %.0f us here; ", registerAccessNanos / 1000.0) : "";
        return "over the QEMU transport each register access is a qtest socket round trip (" + here
                + "0.1-0.2 ms typically) and the interrupt arrives as a line on that socket: these numbers measure "
                + "the transport, not a disk";
    }
}
