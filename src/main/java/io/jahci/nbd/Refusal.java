package io.jahci.nbd;

import static io.jahci.nbd.NbdProtocol.*;

/**
 * Which requests are answered with an error before they reach the disk, and with which (proto.md
 * "Error values", "Block size constraints", "Request types"). Pure; any thread.
 */
final class Refusal {
    private Refusal() {}

    /** The NBD error a request gets without reaching the disk, or 0 (proto.md "Error values"). */
    static int of(NbdRequest r, NbdExport export, boolean stopping) {
        if (stopping) {
            return ESHUTDOWN;
        }
        if ((r.flags & ~(CMD_FLAG_FUA | CMD_FLAG_NO_HOLE | CMD_FLAG_DF)) != 0) {
            return EINVAL;
        }
        switch (r.type) {
            case CMD_READ, CMD_WRITE, CMD_WRITE_ZEROES -> { }
            case CMD_TRIM -> {
                if (export.writable() && !export.disk().supportsTrim()) {
                    return EINVAL; // not offered
                }
            }
            case CMD_FLUSH -> {
                return export.writable() ? 0 : EINVAL;
            }
            default -> {
                return EINVAL; // not offered (CACHE, BLOCK_STATUS, ...) or unknown
            }
        }
        if (r.type != CMD_READ && !export.writable()) {
            return EPERM;
        }
        long size = export.info().size();
        long length = r.unsignedLength();
        int sector = export.disk().sectorSize();
        boolean carriesData = r.type == CMD_READ || r.type == CMD_WRITE;
        if (length == 0 || (carriesData && length > NbdExport.MAX_REQUEST_BYTES) || r.offset % sector != 0
                || length % sector != 0) {
            return EINVAL;
        }
        if (r.offset < 0 || r.offset > size - length) {
            return r.type == CMD_WRITE || r.type == CMD_WRITE_ZEROES ? ENOSPC : EINVAL;
        }
        return 0;
    }
}
