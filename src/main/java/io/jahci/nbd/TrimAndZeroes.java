package io.jahci.nbd;

import io.jahci.disk.Disk;
import io.jahci.fault.PortException;

import java.nio.ByteBuffer;

import static io.jahci.nbd.NbdProtocol.*;

/**
 * NBD_CMD_TRIM and NBD_CMD_WRITE_ZEROES (proto.md "Request types") as a sequence of commands
 * through the request's one reserved command, submitted by the connection's loop one after the
 * other like READ and WRITE (DATA SET MANAGEMENT is not queued: the port runs it alone):
 *
 * <pre>
 *  TRIM, or WRITE_ZEROES without NO_HOLE on a disk that reads trimmed sectors as zeroes:
 *      DATA SET MANAGEMENT TRIM (as many ranges as one command carries) --completion--> the next ... --> [FLUSH if FUA] --> reply
 *  WRITE_ZEROES otherwise:
 *      WRITE of up to 256 KiB of zeroes from the reserved buffer --completion--> the next ... --> [FLUSH if FUA] --> reply
 * </pre>
 *
 * FUA's FLUSH is the loop's, as for a write on a disk without FUA ({@link NbdRequest#flushNext}).
 * A failure ends the sequence with EIO. Loop thread (PASSIVE); nothing is allocated per request.
 */
final class TrimAndZeroes {
    private final Disk disk;
    private final int zeroSectors;

    TrimAndZeroes(Disk disk, int inPlaceBytes) {
        this.disk = disk;
        this.zeroSectors = inPlaceBytes / disk.sectorSize();
    }

    /**
     * Sets the request's steps up (its length is not 0: {@link Refusal}) and submits its first
     * command. Throws what the submission threw.
     */
    void start(NbdRequest r) throws PortException {
        r.stepLba = r.offset / disk.sectorSize();
        r.stepSectors = r.unsignedLength() / disk.sectorSize();
        r.flushNext = (r.flags & CMD_FLAG_FUA) != 0;
        next(r);
    }

    /**
     * Submits the request's next command ({@link NbdRequest#hasNextStep()}): trims or zeroes the
     * next sectors. Throws what the submission threw.
     */
    void next(NbdRequest r) throws PortException {
        if (trims(r)) {
            long covered = r.io.trim(r.stepLba, r.stepSectors);
            r.stepLba += covered;
            r.stepSectors -= covered;
        } else {
            int n = (int) Math.min(zeroSectors, r.stepSectors);
            int bytes = n * disk.sectorSize();
            if (r.io.holdsCommand() && r.io.data().limit() != bytes) {
                r.io.release();
            }
            if (!r.io.holdsCommand()) {
                zero(r.io.reserve(bytes));
            }
            r.io.write(r.stepLba, false);
            r.stepLba += n;
            r.stepSectors -= n;
        }
    }

    /** Whether the request trims (TRIM; WRITE_ZEROES that may leave a hole where trimmed sectors read as zeroes). */
    private boolean trims(NbdRequest r) {
        return r.type == CMD_TRIM || ((r.flags & CMD_FLAG_NO_HOLE) == 0 && disk.trimReadsZeroes());
    }

    /** Zeroes a freshly reserved command's buffer; a write leaves it as it was, so later chunks reuse it. */
    private static void zero(ByteBuffer b) {
        while (b.remaining() >= Long.BYTES) {
            b.putLong(0);
        }
        while (b.hasRemaining()) {
            b.put((byte) 0);
        }
    }
}
