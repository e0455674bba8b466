package io.jahci.disk;

import java.util.Locale;

/**
 * A SMART self-test to start, or the request to abort the running one: the routine number SMART
 * EXECUTE OFF-LINE IMMEDIATE carries in LBA 7:0 (ACS-3 §7.49.5, Table 130). Tests run in off-line
 * mode: the command completes at once and the disk tests in the background, answering other
 * commands meanwhile; its progress is SMART READ DATA's self-test execution status, its result an
 * entry of the self-test log.
 */
public enum SelfTest {
    /** 01h: short self-test, off-line mode (minutes; SMART READ DATA byte 372 says how many). */
    SHORT(0x01),
    /** 02h: extended self-test, off-line mode (the whole surface; byte 373 says how many minutes). */
    LONG(0x02),
    /** 7Fh: abort the self-test running in off-line mode. */
    ABORT(0x7F);

    private final int routine;

    SelfTest(int routine) {
        this.routine = routine;
    }

    /** The value of LBA 7:0. */
    public int routine() {
        return routine;
    }

    /** {@code short}, {@code long} or {@code abort}, any case; an IllegalArgumentException naming them otherwise. */
    public static SelfTest parse(String name) {
        for (SelfTest t : values()) {
            if (t.name().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a self-test: use short, long or abort");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
