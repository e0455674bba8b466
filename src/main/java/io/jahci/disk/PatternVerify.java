package io.jahci.disk;

import io.jahci.platform.Json;
import io.jahci.fault.PortException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * Write-then-verify with a self-describing pattern: every sector carries its own LBA, the run's
 * seed, pseudo-random filler derived from both, and a CRC32C of all that. Reading it back tells
 * apart a sector that is right, one that holds another LBA's data (a misdirected write), one left
 * from an earlier run (a lost write) and one that is simply corrupt. Caller's thread (PASSIVE).
 *
 * <pre>
 * offset 0            8           16                       size-8      size
 *        | LBA (le64) | seed (le64) | xorshift64(LBA ^ seed) ... | CRC32C of bytes 0..size-8 (le64) |
 * </pre>
 */
public final class PatternVerify {
    /** One sector that did not read back as written. */
    public record Mismatch(long lba, String what) {}

    public record Result(long firstLba, long sectors, List<Mismatch> mismatches, double writeSeconds, double readSeconds) {
        public boolean passed() {
            return mismatches.isEmpty();
        }

        /** {@code {"passed":B,"firstLba":L,"sectors":N,"mismatches":[{"lba":L,"what":"..."},...],"writeSeconds":S,"readSeconds":S}}. */
        public Map<String, Object> toJson() {
            List<Map<String, Object>> items = new ArrayList<>();
            for (Mismatch m : mismatches) {
                Map<String, Object> item = Json.object();
                item.put("lba", m.lba());
                item.put("what", m.what());
                items.add(item);
            }
            Map<String, Object> json = Json.object();
            json.put("passed", passed());
            json.put("firstLba", firstLba);
            json.put("sectors", sectors);
            json.put("mismatches", items);
            json.put("writeSeconds", Json.fixed(writeSeconds, 3));
            json.put("readSeconds", Json.fixed(readSeconds, 3));
            return json;
        }
    }

    /**
     * Told how far the run got: {@code done} of {@code total} sectors written ({@code readingBack} false), then read
     * back and compared; called on the caller's thread (so it may print), first with {@code done} 0 in each pass.
     */
    @FunctionalInterface
    public interface Progress {
        void update(boolean readingBack, long done, long total, long mismatches);
    }

    private static final int TRAILER = 8;

    private PatternVerify() {}

    /** Fills sector {@code lba} of the pattern for {@code seed} into {@code out} at {@code offset}. */
    static void fill(ByteBuffer out, int offset, int sectorSize, long lba, long seed) {
        out.putLong(offset, lba);
        out.putLong(offset + 8, seed);
        long x = (lba ^ seed) * 0x9E3779B97F4A7C15L | 1;
        for (int i = 16; i < sectorSize - TRAILER; i += 8) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            out.putLong(offset + i, x);
        }
        out.putLong(offset + sectorSize - TRAILER, checksum(out, offset, sectorSize));
    }

    private static long checksum(ByteBuffer buffer, int offset, int sectorSize) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate().position(offset).limit(offset + sectorSize - TRAILER));
        return crc.getValue();
    }

    /**
     * Writes the pattern over {@code count} sectors from {@code lba} with up to {@code queueDepth}
     * commands in flight, flushes, reads it all back the same way and compares every sector.
     */
    public static Result run(Disk disk, long lba, long count, int queueDepth, long seed, Progress progress)
            throws PortException, InterruptedException {
        int sectorSize = disk.sectorSize();
        int chunk = disk.maxSectorsPerCommand();
        List<Mismatch> mismatches = Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        pass(disk, lba, count, chunk, queueDepth, true, seed, mismatches, progress);
        disk.flush();
        long t1 = System.nanoTime();
        pass(disk, lba, count, chunk, queueDepth, false, seed, mismatches, progress);
        long t2 = System.nanoTime();
        List<Mismatch> sorted = new ArrayList<>(mismatches);
        sorted.sort((a, b) -> Long.compare(a.lba(), b.lba()));
        return new Result(lba, count, sorted, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }

    private static void pass(Disk disk, long lba, long count, int chunk, int queueDepth, boolean write, long seed,
                             List<Mismatch> mismatches, Progress progress) throws PortException, InterruptedException {
        int sectorSize = disk.sectorSize();
        InFlightBuffers buffers = new InFlightBuffers(queueDepth, chunk * sectorSize);
        AtomicLong completed = new AtomicLong();
        progress.update(!write, 0, count, mismatches.size());
        for (long at = lba; at < lba + count; at += chunk) {
            int sectors = (int) Math.min(chunk, lba + count - at);
            int slot = buffers.acquire();
            ByteBuffer buffer = buffers.buffer(slot, sectors * sectorSize).order(ByteOrder.LITTLE_ENDIAN);
            long first = at;
            if (write) {
                for (int s = 0; s < sectors; s++) {
                    fill(buffer, s * sectorSize, sectorSize, first + s, seed);
                }
            }
            (write ? disk.writeAsync(first, buffer) : disk.readAsync(first, buffer)).whenComplete((ok, error) -> {
                if (error != null) {
                    mismatches.add(new Mismatch(first, (write ? "write" : "read") + " of " + sectors
                            + " sectors failed: " + firstLine(error)));
                } else if (!write) {
                    compare(buffer, sectors, sectorSize, first, seed, mismatches);
                }
                completed.addAndGet(sectors);
                buffers.release(slot);
            });
            progress.update(!write, completed.get(), count, mismatches.size());
        }
        buffers.awaitAll();
        progress.update(!write, count, count, mismatches.size());
    }

    private static void compare(ByteBuffer read, int sectors, int sectorSize, long first, long seed,
                                List<Mismatch> mismatches) {
        ByteBuffer expected = ByteBuffer.allocate(sectorSize).order(ByteOrder.LITTLE_ENDIAN);
        for (int s = 0; s < sectors; s++) {
            long lba = first + s;
            fill(expected, 0, sectorSize, lba, seed);
            ByteBuffer actual = read.duplicate().position(s * sectorSize).limit((s + 1) * sectorSize).slice()
                    .order(ByteOrder.LITTLE_ENDIAN);
            if (actual.equals(expected.duplicate().clear())) {
                continue;
            }
            mismatches.add(new Mismatch(lba, diagnose(actual, sectorSize, lba, seed)));
        }
    }

    /** What a sector that does not match the pattern holds instead. */
    static String diagnose(ByteBuffer actual, int sectorSize, long lba, long seed) {
        boolean selfConsistent = actual.getLong(sectorSize - TRAILER) == checksum(actual, 0, sectorSize);
        long storedLba = actual.getLong(0);
        long storedSeed = actual.getLong(8);
        if (selfConsistent && storedSeed == seed && storedLba != lba) {
            return "holds the data written for LBA " + storedLba + " (misdirected write)";
        }
        if (selfConsistent && storedSeed != seed) {
            return "holds a pattern from another run (seed " + Long.toHexString(storedSeed) + "): the write was lost";
        }
        if (allZero(actual)) {
            return "holds zeros: the write never reached it";
        }
        return "corrupt: does not match the pattern and its checksum is wrong";
    }

    private static boolean allZero(ByteBuffer sector) {
        for (int i = 0; i < sector.limit(); i += 8) {
            if (sector.getLong(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static String firstLine(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        String m = String.valueOf(cause.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
