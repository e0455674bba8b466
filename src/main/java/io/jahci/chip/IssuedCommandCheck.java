package io.jahci.chip;

import io.jahci.ahci.AtaCommand;
import io.jahci.ahci.Cap;
import io.jahci.ahci.CommandHeader;
import io.jahci.ahci.CommandTable;
import io.jahci.ahci.PrdTable;

import java.util.function.LongToIntFunction;

/**
 * What a chip checks when PxCI is written: the command headers and tables of the issued slots, read
 * from DMA memory as the HBA fetches them (AHCI 1.3.1 §4.2.2, §4.2.3), against CAP. Returns the first
 * thing the chip would not accept, or null. Pure apart from the memory reads; any thread.
 */
final class IssuedCommandCheck {
    /** The FPDMA commands, which only an HBA with CAP.SNCQ may issue (SATA 3.x §13.6; ACS-3 §7). */
    private static final int[] FPDMA = {AtaCommand.READ_FPDMA_QUEUED, AtaCommand.WRITE_FPDMA_QUEUED,
        0x63 /* NCQ NON-DATA */, 0x64 /* SEND FPDMA QUEUED */, 0x65 /* RECEIVE FPDMA QUEUED */};

    private final int cap;
    private final LongToIntFunction memory;

    /** @param memory reads the dword at a bus address (guest physical) */
    IssuedCommandCheck(int cap, LongToIntFunction memory) {
        this.cap = cap;
        this.memory = memory;
    }

    /** Checks every slot in {@code issued} of the command list at {@code commandList}. */
    String check(long commandList, int issued) {
        int slots = Cap.commandSlots(cap);
        if (slots < 32 && issued >>> slots != 0) {
            return "slot " + (31 - Integer.numberOfLeadingZeros(issued)) + " issued, but CAP.NCS gives "
                    + slots + (slots == 1 ? " slot (0)" : " slots (0.." + (slots - 1) + ")") + " (AHCI 1.3.1 §3.1.1)";
        }
        for (int slot = 0; slot < 32; slot++) {
            if ((issued & 1 << slot) != 0) {
                String wrong = checkSlot(slot, commandList + (long) slot * CommandHeader.SIZE);
                if (wrong != null) {
                    return "slot " + slot + ": " + wrong;
                }
            }
        }
        return null;
    }

    private String checkSlot(int slot, long header) {
        int dw0 = memory.applyAsInt(header);
        long table = memory.applyAsInt(header + 8) & 0xffff_ffffL;
        int tableUpper = memory.applyAsInt(header + 12);
        boolean s64a = Cap.S64A.isSet(cap);
        if (CommandHeader.PMP.get(dw0) != 0 && !Cap.SPM.isSet(cap)) {
            return "the command header names port multiplier port " + CommandHeader.PMP.get(dw0)
                    + ", but CAP.SPM is clear (§4.2.2)";
        }
        if (tableUpper != 0 && !s64a) {
            return "CTBAU is " + String.format("%08x", tableUpper) + ", but CAP.S64A is clear: the HBA ignores the "
                    + "upper 32 bits (§4.2.2)";
        }
        table |= (long) tableUpper << 32;
        int command = memory.applyAsInt(table + CommandTable.CFIS) >>> 16 & 0xff;
        if (!Cap.SNCQ.isSet(cap)) {
            for (int fpdma : FPDMA) {
                if (command == fpdma) {
                    return AtaCommand.name(command) + " (" + Integer.toHexString(command)
                            + "h) issued, but CAP.SNCQ is clear: this HBA does not queue (§3.1.1)";
                }
            }
        }
        int entries = CommandHeader.PRDTL.get(dw0);
        for (int i = 0; i < entries && !s64a; i++) {
            int upper = memory.applyAsInt(table + CommandTable.PRDT + (long) i * PrdTable.ENTRY_SIZE + 4);
            if (upper != 0) {
                return "PRD " + i + " has DBAU " + String.format("%08x", upper) + ", but CAP.S64A is clear (§4.2.3)";
            }
        }
        return null;
    }
}
