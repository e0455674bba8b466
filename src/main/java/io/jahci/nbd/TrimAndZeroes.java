package io.jahci.nbd;

import io.jahci.disk.Disk;
import io.jahci.fault.PortException;

import java.nio.ByteBuffer;

import static io.jahci.nbd.NbdProtocol.*;

/**
 * NBD_CMD_TRIM and NBD_CMD_WRITE_ZEROES (proto.md "Request types"), run on a connection's reader
 * and waited for: DATA SET MANAGEMENT is not queued, and zeroes are written chunk by chunk.
 * WRITE_ZEROES trims when the disk reads trimmed sectors as zeroes and the client allows holes (no
 * NBD_CMD_FLAG_NO_HOLE), else writes zeroes. FUA adds a FLUSH CACHE EXT. Reader thread (PASSIVE).
 */
final class TrimAndZeroes {
    private final Disk disk;
    /** Zeroes for WRITE_ZEROES, allocated at the first one. */
    private ByteBuffer zeroes;

    TrimAndZeroes(Disk disk) {
        this.disk = disk;
    }

    /** Runs the request and records its outcome in it (error EIO and the failure when the disk failed it). */
    void run(NbdRequest r) {
        long lba = r.offset / disk.sectorSize();
        long sectors = r.unsignedLength() / disk.sectorSize();
        try {
            if (r.type == CMD_TRIM || ((r.flags & CMD_FLAG_NO_HOLE) == 0 && disk.trimReadsZeroes())) {
                disk.trim(lba, sectors);
            } else {
                writeZeroes(lba, sectors);
            }
            if ((r.flags & CMD_FLAG_FUA) != 0) {
                disk.flush();
            }
        } catch (PortException | RuntimeException e) {
            r.failure = e;
            r.error = EIO;
        }
    }

    private void writeZeroes(long lba, long sectors) throws PortException {
        if (zeroes == null) {
            zeroes = ByteBuffer.allocateDirect(NbdRequest.OWN_BUFFER_BYTES);
        }
        int chunk = NbdRequest.OWN_BUFFER_BYTES / disk.sectorSize();
        for (long done = 0; done < sectors; done += chunk) {
            int n = (int) Math.min(chunk, sectors - done);
            disk.write(lba + done, zeroes.clear().limit(n * disk.sectorSize()));
        }
    }
}
