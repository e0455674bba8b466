package io.jahci.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumMap;
import java.util.Map;

/**
 * Raw per-event {@code System.nanoTime()}/CLOCK_MONOTONIC stamps of one run: each event's intended
 * send time and the time it reached each stage. Events {@code [0, warmup)} are warm-up and never
 * recorded; {@code [warmup, total)} are measured. The Java pipeline fills these arrays while it
 * runs (preallocated: nothing allocates on the port threads); the C baseline writes the same
 * columns to a file, read by {@link #readC}.
 */
public final class RawRun {
    static final byte[] MAGIC = "JAHCIIRQ".getBytes(StandardCharsets.US_ASCII);
    /** Column order of the C file after {@code intended}. */
    static final Stage[] C_COLUMNS = {Stage.SEND, Stage.WAKE, Stage.ISR, Stage.WORKER, Stage.SYNCHRONIZED,
            Stage.WORKITEM};

    final long[] intended;
    final Map<Stage, long[]> stamps;
    int warmup;
    int total;

    /** Arrays for {@code capacity} events and the given stages, all zero (pages touched). */
    RawRun(int capacity, Stage... stages) {
        this.intended = new long[capacity];
        this.stamps = new EnumMap<>(Stage.class);
        for (Stage s : stages) {
            stamps.put(s, new long[capacity]);
        }
    }

    /** For tests and readers: the given arrays as they are. */
    RawRun(long[] intended, Map<Stage, long[]> stamps, int warmup, int total) {
        this.intended = intended;
        this.stamps = new EnumMap<>(stamps);
        this.warmup = warmup;
        this.total = total;
    }

    public int warmup() {
        return warmup;
    }

    public int total() {
        return total;
    }

    public int measured() {
        return total - warmup;
    }

    /** Reads the file {@code irqbench --out} wrote (format in native/bench/irqbench.c). */
    public static RawRun readC(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 32) {
                throw new IOException(file + ": " + size + " bytes, too short for an irqbench header");
            }
            ByteBuffer header = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, header);
            header.flip();
            byte[] magic = new byte[8];
            header.get(magic);
            int version = header.getInt();
            int columns = header.getInt();
            long warmup = header.getLong();
            long total = header.getLong();
            if (!java.util.Arrays.equals(magic, MAGIC) || version != 1 || columns != 1 + C_COLUMNS.length) {
                throw new IOException(file + ": not an irqbench v1 file with " + (1 + C_COLUMNS.length) + " columns");
            }
            if (warmup < 0 || total < warmup || total > Integer.MAX_VALUE || size != 32 + 8L * columns * total) {
                throw new IOException(file + ": header says " + warmup + " warm-up of " + total
                        + " events, but the file has " + size + " bytes");
            }
            int n = (int) total;
            ByteBuffer body = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
            long[] intended = column(ch, body, n);
            Map<Stage, long[]> stamps = new EnumMap<>(Stage.class);
            for (Stage s : C_COLUMNS) {
                stamps.put(s, column(ch, body, n));
            }
            return new RawRun(intended, stamps, (int) warmup, n);
        }
    }

    private static long[] column(FileChannel ch, ByteBuffer body, int n) throws IOException {
        body.clear();
        readFully(ch, body);
        body.flip();
        long[] out = new long[n];
        body.asLongBuffer().get(out);
        return out;
    }

    private static void readFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }
}
