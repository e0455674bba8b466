package io.jahci.disk;

import io.jahci.platform.Json;
import java.util.Map;

/**
 * What an ATAPI CD/DVD drive says about itself (INQUIRY, SPC-4 §6.6) and its medium (READ
 * CAPACITY (10)), as the CLI prints it.
 *
 * @param blocks    blocks on the medium; 0 when there is no medium
 * @param blockSize bytes per block (2048 for CD and DVD data); 0 when there is no medium
 */
public record CdIdentity(int port, String vendor, String product, String revision, long blocks, int blockSize) {
    /** One JSON object with every field (the CLI's {@code identify --json}); {@code "type":"cdrom"} tells it from a disk. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = Json.object();
        json.put("port", port);
        json.put("type", "cdrom");
        json.put("vendor", vendor);
        json.put("product", product);
        json.put("revision", revision);
        json.put("blocks", blocks);
        json.put("blockSize", blockSize);
        json.put("capacityBytes", blocks * blockSize);
        return json;
    }
}
