package io.jahci.ahci;

import java.nio.ByteBuffer;

/**
 * A non-queued ATA command as the host sends it: the fields of its Register H2D FIS (SATA 3.x
 * §10.5.5; field names as in ACS-3 §7), plus which way its data moves and how many bytes. For
 * commands the port has no dedicated method for: DATA SET MANAGEMENT, SMART, CHECK POWER MODE,
 * STANDBY/IDLE, SET FEATURES, IDENTIFY, FLUSH.
 *
 * @param command   the ATA command (COMMAND), see {@link AtaCommand}; not an NCQ command
 * @param features  FEATURES 15:0
 * @param lba       LBA 47:0 (for SMART: LBA mid 4Fh and high C2h, i.e. {@code 0xC24F00})
 * @param count     COUNT 15:0
 * @param device    the DEVICE field ({@link RegisterH2DFis#DEVICE_LBA} for LBA-addressed commands)
 * @param direction whether data moves, and which way
 * @param byteCount how many bytes move: 0 for {@link Direction#NONE}, else at least 1
 */
public record AtaTaskFile(int command, int features, long lba, int count, int device, Direction direction,
                          int byteCount) {
    /** Which way a command's data moves (the command header's W bit, AHCI 1.3.1 §4.2.2). */
    public enum Direction { NONE, IN, OUT }

    public AtaTaskFile {
        Checks.inRange("command", command, 0, 0xFF);
        if (command == AtaCommand.READ_FPDMA_QUEUED || command == AtaCommand.WRITE_FPDMA_QUEUED) {
            throw new IllegalArgumentException(AtaCommand.name(command)
                    + " is an NCQ command: submit reads and writes through the port's submit(), not as a task file");
        }
        Checks.inRange("features", features, 0, 0xFFFF);
        Checks.inRange("lba", lba, 0, RegisterH2DFis.MAX_LBA48);
        Checks.inRange("count", count, 0, 0xFFFF);
        Checks.inRange("device", device, 0, 0xFF);
        if (direction == null) {
            throw new IllegalArgumentException("direction must be NONE, IN or OUT");
        }
        if (direction == Direction.NONE ? byteCount != 0 : byteCount < 1) {
            throw new IllegalArgumentException("byteCount " + byteCount + " does not fit direction " + direction
                    + ": NONE moves 0 bytes, IN and OUT at least 1");
        }
    }

    /** A command that moves no data (FLUSH CACHE, SMART RETURN STATUS, CHECK POWER MODE, SET FEATURES). */
    public static AtaTaskFile nonData(int command, int features, long lba, int count, int device) {
        return new AtaTaskFile(command, features, lba, count, device, Direction.NONE, 0);
    }

    /** A command that reads {@code bytes} from the device (IDENTIFY DEVICE, SMART READ DATA, READ LOG EXT). */
    public static AtaTaskFile dataIn(int command, int features, long lba, int count, int device, int bytes) {
        return new AtaTaskFile(command, features, lba, count, device, Direction.IN, bytes);
    }

    /** A command that writes {@code bytes} to the device (DATA SET MANAGEMENT's range list). */
    public static AtaTaskFile dataOut(int command, int features, long lba, int count, int device, int bytes) {
        return new AtaTaskFile(command, features, lba, count, device, Direction.OUT, bytes);
    }

    /** Writes the command's Register H2D FIS at {@code offset} (C bit set, CONTROL 0). Allocates nothing. */
    public void writeFis(ByteBuffer buf, int offset) {
        RegisterH2DFis.write(buf, offset, command, features, lba, count, device, 0);
    }
}
