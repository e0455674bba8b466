package io.jahci.nbd;

import io.jahci.disk.Disk;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.jahci.nbd.NbdProtocol.*;

/**
 * One disk served as an export: its names, whether clients may write, what the handshake tells
 * them, and the disk's queue depth shared among the clients connected to it.
 */
public final class NbdExport {
    /**
     * The largest request accepted (NBD_INFO_BLOCK_SIZE maximum): the 32 MiB every client
     * assumes servers take (proto.md "Block size constraints").
     */
    public static final int MAX_REQUEST_BYTES = 32 << 20;

    private final Disk disk;
    private final List<String> names;
    private final boolean writable;
    private final ExportInfo info;
    private final AtomicInteger connections = new AtomicInteger();

    /**
     * @param names    the export's names; the first is its canonical name (e.g. {@code port0}), an
     *                 empty name makes it the default export
     * @param writable whether clients may write (the disk must then be open for writing)
     */
    public NbdExport(Disk disk, List<String> names, boolean writable) {
        this.disk = disk;
        this.names = List.copyOf(names);
        this.writable = writable;
        int flags = FLAG_HAS_FLAGS
                // No cache in the server: a FLUSH on any connection makes every write any connection
                // saw replied durable (FLUSH CACHE EXT covers all completed writes), as
                // CAN_MULTI_CONN requires.
                | FLAG_CAN_MULTI_CONN
                | (writable ? FLAG_SEND_FLUSH | FLAG_SEND_FUA | FLAG_SEND_WRITE_ZEROES : FLAG_READ_ONLY)
                | (writable && disk.supportsTrim() ? FLAG_SEND_TRIM : 0);
        this.info = new ExportInfo(names.get(0), disk.sectors() * disk.sectorSize(), flags, disk.sectorSize(),
                disk.identity().physicalSectorSize(), MAX_REQUEST_BYTES,
                disk.identity().model().trim() + " on AHCI port " + disk.port() + " (jahci)");
    }

    public Disk disk() {
        return disk;
    }

    public List<String> names() {
        return names;
    }

    public boolean writable() {
        return writable;
    }

    public ExportInfo info() {
        return info;
    }

    /** A client entered transmission on this export. */
    void join() {
        connections.incrementAndGet();
    }

    /** A client left. */
    void leave() {
        connections.decrementAndGet();
    }

    /**
     * How many requests one client may have in flight now: the disk's queue depth divided among
     * the clients connected to this export, at least 1. Any thread, no lock.
     */
    int share() {
        return Math.max(1, disk.queueDepth() / Math.max(1, connections.get()));
    }
}
