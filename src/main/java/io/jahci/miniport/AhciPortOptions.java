package io.jahci.miniport;

import io.jahci.ahci.PrdTable;

/**
 * Per-port tunables.
 *
 * @param timeouts             every wait, named
 * @param bounceBufferBytes    DMA buffer per port that user data is copied through; with the PRD
 *                             limits it bounds the sectors per command (larger requests are split)
 * @param prdEntriesPerCommand PRD entries in each command table (AHCI 1.3.1 §4.2.3: up to 65535)
 * @param maxPrdEntryBytes     bytes per PRD entry (even, at most 4 MiB, §4.2.3.3); smaller values
 *                             give longer scatter lists, as page-fragmented memory would
 */
public record AhciPortOptions(Timeouts timeouts, int bounceBufferBytes, int prdEntriesPerCommand, int maxPrdEntryBytes) {
    public static final AhciPortOptions DEFAULT = new AhciPortOptions(Timeouts.DEFAULT, 4 * 1024 * 1024, 248,
            PrdTable.MAX_ENTRY_BYTES);

    public AhciPortOptions {
        if (maxPrdEntryBytes <= 0 || maxPrdEntryBytes % 2 != 0 || maxPrdEntryBytes > PrdTable.MAX_ENTRY_BYTES) {
            throw new IllegalArgumentException("maxPrdEntryBytes " + maxPrdEntryBytes
                    + " must be even and at most " + PrdTable.MAX_ENTRY_BYTES);
        }
        if (bounceBufferBytes < 4096 || bounceBufferBytes % 4096 != 0) {
            throw new IllegalArgumentException("bounceBufferBytes " + bounceBufferBytes
                    + " must be a positive multiple of 4096");
        }
        if (prdEntriesPerCommand < 1 || prdEntriesPerCommand > 65535) {
            throw new IllegalArgumentException("prdEntriesPerCommand " + prdEntriesPerCommand + " must be 1..65535");
        }
    }

    public AhciPortOptions withTimeouts(Timeouts t) {
        return new AhciPortOptions(t, bounceBufferBytes, prdEntriesPerCommand, maxPrdEntryBytes);
    }

    public AhciPortOptions withScatterList(int entries, int entryBytes) {
        return new AhciPortOptions(timeouts, bounceBufferBytes, entries, entryBytes);
    }

    public AhciPortOptions withBounceBufferBytes(int bytes) {
        return new AhciPortOptions(timeouts, bytes, prdEntriesPerCommand, maxPrdEntryBytes);
    }
}
