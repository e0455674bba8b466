package io.jahci.ahci;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AtaStatusTest {
    @Test
    void describeStatus() {
        assertEquals("0x51 (DRDY DSC ERR)", AtaStatus.describe(0x51));
        assertEquals("0x50 (DRDY DSC)", AtaStatus.describe(0x50));
        assertEquals("0xFF (BSY DRDY DF DSC DRQ CORR IDX ERR)", AtaStatus.describe(0xFF));
        assertEquals("0x00", AtaStatus.describe(0));
    }

    @Test
    void describeError() {
        assertEquals("0x04 (ABRT)", AtaStatus.describeError(0x04));
        assertEquals("0x84 (ICRC ABRT)", AtaStatus.describeError(0x84));
        assertEquals("0x50 (UNC IDNF)", AtaStatus.describeError(0x50));
        assertEquals("0x00", AtaStatus.describeError(0));
    }

    @Test
    void commandNames() {
        assertEquals("READ DMA EXT", AtaCommand.name(0x25));
        assertEquals("WRITE FPDMA QUEUED", AtaCommand.name(0x61));
        assertEquals("IDENTIFY DEVICE", AtaCommand.name(0xEC));
        assertEquals("IDENTIFY PACKET DEVICE", AtaCommand.name(0xA1));
        assertEquals("FLUSH CACHE EXT", AtaCommand.name(0xEA));
        assertEquals("DATA SET MANAGEMENT", AtaCommand.name(0x06));
        assertEquals("0x42", AtaCommand.name(0x42));
    }
}
