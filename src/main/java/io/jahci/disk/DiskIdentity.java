package io.jahci.disk;

import io.jahci.platform.Json;
import io.jahci.ahci.IdentifyData;
import java.util.Map;

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
    public Map<String, Object> toJson() {
        Map<String, Object> json = Json.object();
        json.put("port", port);
        json.put("model", model);
        json.put("serial", serial);
        json.put("firmware", firmware);
        json.put("sectors", sectors);
        json.put("logicalSectorSize", logicalSectorSize);
        json.put("physicalSectorSize", physicalSectorSize);
        json.put("capacityBytes", capacityBytes());
        json.put("lba48", lba48);
        json.put("ncqDepth", ncqDepth);
        json.put("trim", trim);
        json.put("writeCache", writeCache);
        json.put("smart", smart);
        json.put("fua", fua);
        return json;
    }
}
