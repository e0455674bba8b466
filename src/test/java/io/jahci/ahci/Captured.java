package io.jahci.ahci;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Bytes captured from QEMU 7.2's devices, kept as test resources next to this class:
 * {@code *.identify} in the format of {@code hdparm --Istdout} (32 lines of 8 hex words),
 * {@code *.bin} as the raw bytes the device returned.
 */
final class Captured {
    private Captured() {
    }

    static String text(String name) {
        return new String(bytes(name), StandardCharsets.US_ASCII);
    }

    static byte[] bytes(String name) {
        try (InputStream in = Captured.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + name + " is missing");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A little-endian buffer holding {@code bytes}. */
    static ByteBuffer buffer(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The 512 bytes that an hdparm-format dump describes (each word little-endian, as the device sent it). */
    static ByteBuffer identifyBytes(String hdparmText) {
        String[] words = hdparmText.trim().split("\\s+");
        if (words.length != IdentifyData.WORDS) {
            throw new IllegalArgumentException("expected 256 words, found " + words.length);
        }
        ByteBuffer buf = ByteBuffer.allocate(IdentifyData.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < words.length; i++) {
            buf.putShort(2 * i, (short) Integer.parseInt(words[i], 16));
        }
        return buf;
    }

    static IdentifyData identify(String name) {
        return IdentifyData.parse(identifyBytes(text(name)), 0);
    }
}
