package io.jahci.disk;

import io.jahci.ahci.IdentifyData;

/**
 * What a disk says about itself in IDENTIFY DEVICE (ACS-3 §7.12.7), as the CLI prints it.
 *
 * @param ncqDepth 0 when the disk does not support NCQ
 */
public record DiskIdentity(int port, String model, String serial, String firmware, long sectors,
                           int logicalSectorSize, int physicalSectorSize, boolean lba48, int ncqDepth, boolean trim,
                           boolean writeCache, boolean smart, boolean fua) {
    static DiskIdentity of(int port, IdentifyData id) {
        return new DiskIdentity(port, id.model(), id.serial(), id.firmware(), id.sectors(), id.logicalSectorSize(),
                id.physicalSectorSize(), id.lba48(), id.ncqDepth(), id.trim(), id.writeCacheEnabled(),
                id.smartSupported(), id.fua());
    }

    public long capacityBytes() {
        return sectors * logicalSectorSize;
    }

    /** One JSON object with every field (the CLI's {@code identify --json}). */
    public String toJson() {
        return String.format("{\"port\":%d,\"model\":%s,\"serial\":%s,\"firmware\":%s,\"sectors\":%d,"
                        + "\"logicalSectorSize\":%d,\"physicalSectorSize\":%d,\"capacityBytes\":%d,\"lba48\":%b,"
                        + "\"ncqDepth\":%d,\"trim\":%b,\"writeCache\":%b,\"smart\":%b,\"fua\":%b}",
                port, Json.string(model), Json.string(serial), Json.string(firmware), sectors, logicalSectorSize,
                physicalSectorSize, capacityBytes(), lba48, ncqDepth, trim, writeCache, smart, fua);
    }
}
