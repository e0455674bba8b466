package io.jahci.ahci;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Argument checks shared by the layout writers. They allocate only when they throw. */
final class Checks {
    private Checks() {
    }

    /** Throws unless {@code min <= value <= max}; the message names {@code what}. */
    static void inRange(String what, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    what + " " + value + " (0x" + Long.toHexString(value) + ") outside "
                            + min + ".." + max);
        }
    }

    /** Throws unless {@code value} is a multiple of {@code alignment} (a power of two). */
    static void aligned(String what, long value, long alignment) {
        if ((value & (alignment - 1)) != 0) {
            throw new IllegalArgumentException(
                    what + " 0x" + Long.toHexString(value) + " is not " + alignment
                            + "-byte aligned");
        }
    }

    /** Throws unless {@code buf} is little-endian, as AHCI structures are (AHCI 1.3.1 §4). */
    static void littleEndian(ByteBuffer buf) {
        if (buf.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("AHCI structures need a little-endian buffer");
        }
    }
}
