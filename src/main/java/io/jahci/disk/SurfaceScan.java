package io.jahci.disk;

import io.jahci.platform.Json;
import io.jahci.fault.AtaCommandException;
import io.jahci.fault.CommandTimeoutException;
import io.jahci.fault.PortException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A surface scan: reads a range with a deep queue, narrows every chunk that fails down to the
 * exact sectors that fail (by halving it), and keeps going. A sector is bad when reading it alone
 * fails with an ATA error or times out; a port that loses its disk ends the scan with the error.
 * Caller's thread (PASSIVE).
 */
public final class SurfaceScan {
    /** A run of consecutive unreadable sectors. */
    public record BadRange(long lba, long count) {}

    /**
     * What the scan found.
     *
     * @param failedChunks chunks whose read failed during the queued pass (before narrowing);
     *                     a chunk that then reads fine in every part had a transient error
     */
    public record Result(long firstLba, long sectors, List<BadRange> bad, long failedChunks, double seconds) {
        public long badSectors() {
            long n = 0;
            for (BadRange r : bad) {
                n += r.count();
            }
            return n;
        }

        /** {@code {"bad":[{"lba":L,"count":C},...],"badSectors":N,"firstLba":L,"sectors":N,"failedChunks":N,"seconds":S}}. */
        public Map<String, Object> toJson() {
            List<Map<String, Object>> ranges = new ArrayList<>();
            for (BadRange r : bad) {
                Map<String, Object> range = Json.object();
                range.put("lba", r.lba());
                range.put("count", r.count());
                ranges.add(range);
            }
            Map<String, Object> json = Json.object();
            json.put("bad", ranges);
            json.put("badSectors", badSectors());
            json.put("firstLba", firstLba);
            json.put("sectors", sectors);
            json.put("failedChunks", failedChunks);
            json.put("seconds", Json.fixed(seconds, 3));
            return json;
        }
    }

    /**
     * Told how far the scan got. Called on the scanning (caller's) thread only, so it may print:
     * the completions, on the port's DISPATCH threads, just count.
     */
    public interface Progress {
        void update(long scannedSectors, long totalSectors, long badSectors);
    }

    private SurfaceScan() {}

    /**
     * Scans {@code count} sectors from {@code lba} with up to {@code queueDepth} reads in flight.
     *
     * @throws PortException when the port stops taking commands (no disk, failed port)
     */
    public static Result run(Disk disk, long lba, long count, int queueDepth, Progress progress)
            throws PortException, InterruptedException {
        long started = System.nanoTime();
        int chunk = disk.maxSectorsPerCommand();
        int sectorSize = disk.sectorSize();
        InFlightBuffers buffers = new InFlightBuffers(queueDepth, chunk * sectorSize);
        List<long[]> failed = Collections.synchronizedList(new ArrayList<>());
        AtomicLong scanned = new AtomicLong();
        for (long at = lba; at < lba + count; at += chunk) {
            int sectors = (int) Math.min(chunk, lba + count - at);
            int slot = buffers.acquire();
            progress.update(scanned.get(), count, 0);
            long chunkLba = at;
            disk.readAsync(chunkLba, buffers.buffer(slot, sectors * sectorSize)).whenComplete((ok, error) -> {
                if (error != null) {
                    failed.add(new long[] {chunkLba, sectors});
                }
                scanned.addAndGet(sectors);
                buffers.release(slot);
            });
        }
        buffers.awaitAll();
        progress.update(scanned.get(), count, 0);
        List<long[]> failures = new ArrayList<>(failed);
        failures.sort((a, b) -> Long.compare(a[0], b[0]));
        List<BadRange> bad = new ArrayList<>();
        ByteBuffer probe = ByteBuffer.allocateDirect(chunk * sectorSize);
        for (long[] f : failures) {
            narrow(disk, f[0], (int) f[1], probe, bad);
            progress.update(count, count, total(bad));
        }
        return new Result(lba, count, merge(bad), failures.size(), (System.nanoTime() - started) / 1e9);
    }

    /** Reads {@code sectors} at {@code lba}; on failure halves the range until single sectors remain. */
    private static void narrow(Disk disk, long lba, int sectors, ByteBuffer probe, List<BadRange> bad)
            throws PortException {
        try {
            disk.read(lba, probe.clear().limit(sectors * disk.sectorSize()));
            return;
        } catch (AtaCommandException | CommandTimeoutException e) {
            // the medium (or the drive's retries on it) failed: narrow it down
        }
        if (sectors == 1) {
            bad.add(new BadRange(lba, 1));
            return;
        }
        int half = sectors / 2;
        narrow(disk, lba, half, probe, bad);
        narrow(disk, lba + half, sectors - half, probe, bad);
    }

    private static long total(List<BadRange> bad) {
        long n = 0;
        for (BadRange r : bad) {
            n += r.count();
        }
        return n;
    }

    /** Joins adjacent single-sector finds into ranges. */
    private static List<BadRange> merge(List<BadRange> bad) {
        List<BadRange> out = new ArrayList<>();
        for (BadRange r : bad) {
            BadRange last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.lba() + last.count() == r.lba()) {
                out.set(out.size() - 1, new BadRange(last.lba(), last.count() + r.count()));
            } else {
                out.add(r);
            }
        }
        return out;
    }
}
