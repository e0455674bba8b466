package io.jahci.miniport;

import io.jahci.ahci.CommandTable;
import io.jahci.ahci.PrdTable;

/**
 * Per-port tunables.
 *
 * @param timeouts              every wait, named
 * @param bufferBytesPerCommand DMA buffer of each command that user data is copied through; with
 *                              the PRD limits it bounds the sectors per command (larger transfers
 *                              are split into several commands, run concurrently when queued)
 * @param prdEntriesPerCommand  PRD entries in each command table (AHCI 1.3.1 §4.2.3: up to 65535)
 * @param maxPrdEntryBytes      bytes per PRD entry (even, at most 4 MiB, §4.2.3.3); smaller values
 *                              give longer scatter lists, as page-fragmented memory would
 * @param maxQueueDepth         commands in flight per port at most (1..32); the port uses
 *                              min(this, CAP.NCS, the disk's NCQ depth), or 1 without NCQ
 * @param ncq                   use READ/WRITE FPDMA QUEUED when HBA and disk support NCQ
 */
public record AhciPortOptions(Timeouts timeouts, int bufferBytesPerCommand, int prdEntriesPerCommand,
                              int maxPrdEntryBytes, int maxQueueDepth, boolean ncq) {
    /** 1 MiB per command and 256 PRD entries: a full buffer fits even in 4 KiB pieces. */
    public static final AhciPortOptions DEFAULT = new AhciPortOptions(Timeouts.DEFAULT, 1024 * 1024, 256,
            PrdTable.MAX_ENTRY_BYTES, 32, true);

    public AhciPortOptions {
        if (maxPrdEntryBytes <= 0 || maxPrdEntryBytes % 2 != 0 || maxPrdEntryBytes > PrdTable.MAX_ENTRY_BYTES) {
            throw new IllegalArgumentException("maxPrdEntryBytes " + maxPrdEntryBytes
                    + " must be even and at most " + PrdTable.MAX_ENTRY_BYTES);
        }
        if (bufferBytesPerCommand < 4096 || bufferBytesPerCommand % 4096 != 0) {
            throw new IllegalArgumentException("bufferBytesPerCommand " + bufferBytesPerCommand
                    + " must be a positive multiple of 4096");
        }
        if (prdEntriesPerCommand < 1 || prdEntriesPerCommand > 65535) {
            throw new IllegalArgumentException("prdEntriesPerCommand " + prdEntriesPerCommand + " must be 1..65535");
        }
        if (maxQueueDepth < 1 || maxQueueDepth > 32) {
            throw new IllegalArgumentException("maxQueueDepth " + maxQueueDepth + " must be 1..32");
        }
    }

    /**
     * The DMA memory one port allocates with these options when its queue depth is {@code depth} (1 for an
     * empty port or a disk without NCQ, else min(maxQueueDepth, CAP.NCS, the disk's depth)): its command list and
     * received-FIS area, {@code depth} commands of a command table and a data buffer each, and the log command.
     * VFIO and UIO pin it, packed into {@code DmaPool} regions.
     */
    public long dmaBytesPerPort(int depth) {
        long table = CommandTable.size(prdEntriesPerCommand);
        return PortLink.STRUCTURES_BYTES + table + AhciPort.LOG_BUFFER_BYTES + depth * (table + bufferBytesPerCommand);
    }

    public AhciPortOptions withTimeouts(Timeouts t) {
        return new AhciPortOptions(t, bufferBytesPerCommand, prdEntriesPerCommand, maxPrdEntryBytes, maxQueueDepth, ncq);
    }

    public AhciPortOptions withScatterList(int entries, int entryBytes) {
        return new AhciPortOptions(timeouts, bufferBytesPerCommand, entries, entryBytes, maxQueueDepth, ncq);
    }

    public AhciPortOptions withBufferBytesPerCommand(int bytes) {
        return new AhciPortOptions(timeouts, bytes, prdEntriesPerCommand, maxPrdEntryBytes, maxQueueDepth, ncq);
    }

    public AhciPortOptions withQueueDepth(int depth) {
        return new AhciPortOptions(timeouts, bufferBytesPerCommand, prdEntriesPerCommand, maxPrdEntryBytes, depth, ncq);
    }

    public AhciPortOptions withNcq(boolean useNcq) {
        return new AhciPortOptions(timeouts, bufferBytesPerCommand, prdEntriesPerCommand, maxPrdEntryBytes, maxQueueDepth,
                useNcq);
    }
}
