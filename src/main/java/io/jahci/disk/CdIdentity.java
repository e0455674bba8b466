package io.jahci.disk;

/**
 * What an ATAPI CD/DVD drive says about itself (INQUIRY, SPC-4 §6.6) and its medium (READ
 * CAPACITY (10)), as the CLI prints it.
 *
 * @param blocks    blocks on the medium; 0 when there is no medium
 * @param blockSize bytes per block (2048 for CD and DVD data); 0 when there is no medium
 */
public record CdIdentity(int port, String vendor, String product, String revision, long blocks, int blockSize) {
    /** One JSON object with every field. */
    public String toJson() {
        return String.format("{\"port\":%d,\"type\":\"cdrom\",\"vendor\":%s,\"product\":%s,\"revision\":%s,"
                        + "\"blocks\":%d,\"blockSize\":%d,\"capacityBytes\":%d}", port, Json.string(vendor),
                Json.string(product), Json.string(revision), blocks, blockSize, blocks * blockSize);
    }
}
