package io.jahci.nbd;

/**
 * What a client learns about an export in the handshake (NBD_INFO_EXPORT, NBD_INFO_NAME,
 * NBD_INFO_DESCRIPTION, NBD_INFO_BLOCK_SIZE).
 *
 * @param transmissionFlags the 16 transmission flags without those that depend on the
 *                          negotiation (see {@link #flags(boolean)})
 * @param minimumBlock      every offset and length is a multiple of it (the logical sector)
 * @param preferredBlock    the physical sector
 * @param maximumBlock      the most one request may carry
 */
public record ExportInfo(String name, long size, int transmissionFlags, int minimumBlock, int preferredBlock,
                         int maximumBlock, String description) {
    /** The transmission flags as sent, once it is known whether structured replies were negotiated. */
    public int flags(boolean structuredReplies) {
        // NBD_FLAG_SEND_DF is only for structured replies; a read reply is never fragmented here.
        return transmissionFlags | (structuredReplies ? NbdProtocol.FLAG_SEND_DF : 0);
    }
}
