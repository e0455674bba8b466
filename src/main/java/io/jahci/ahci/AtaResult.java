package io.jahci.ahci;

import java.nio.ByteBuffer;

/**
 * The registers a device returns at the end of a non-queued command, from its last Register D2H
 * FIS (SATA 3.x §10.5.6): STATUS, ERROR, and the LBA and COUNT fields that some commands answer in
 * (SMART RETURN STATUS in LBA mid/high, CHECK POWER MODE in COUNT).
 */
public record AtaResult(int status, int error, long lba, int count) {
    /** Reads the D2H Register FIS at {@code offset} of a received-FIS area. */
    public static AtaResult of(ByteBuffer buf, int offset) {
        return new AtaResult(D2HRegisterFis.status(buf, offset), D2HRegisterFis.error(buf, offset),
                D2HRegisterFis.lba(buf, offset), D2HRegisterFis.count(buf, offset));
    }
}
