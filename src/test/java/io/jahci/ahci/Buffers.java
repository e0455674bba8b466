package io.jahci.ahci;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Test helpers for DMA-like buffers. */
final class Buffers {
    static final byte GARBAGE = (byte) 0xA5;

    private Buffers() {
    }

    /** A little-endian buffer of {@code size} bytes filled with {@link #GARBAGE}. */
    static ByteBuffer dirty(int size) {
        ByteBuffer buf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < size; i++) {
            buf.put(i, GARBAGE);
        }
        return buf;
    }

    /** Bytes {@code offset}..{@code offset + length - 1} of {@code buf}. */
    static byte[] bytes(ByteBuffer buf, int offset, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = buf.get(offset + i);
        }
        return bytes;
    }

    /** {@code values} as bytes, for writing expected byte arrays by hand. */
    static byte[] of(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    /** Whether every byte of {@code buf} outside [{@code from}, {@code to}) is still garbage. */
    static boolean untouchedOutside(ByteBuffer buf, int from, int to) {
        byte[] all = bytes(buf, 0, buf.capacity());
        byte[] before = Arrays.copyOfRange(all, 0, from);
        byte[] after = Arrays.copyOfRange(all, to, all.length);
        return allGarbage(before) && allGarbage(after);
    }

    private static boolean allGarbage(byte[] bytes) {
        for (byte b : bytes) {
            if (b != GARBAGE) {
                return false;
            }
        }
        return true;
    }
}
