package io.jahci.ahci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BitFieldTest {
    private final BitField ccs = new BitField("CCS", 8, 5);
    private final BitField st = new BitField("ST", 0, 1);

    @Test
    void maskIsInPlace() {
        assertEquals(0x00001F00, ccs.mask());
        assertEquals(0x00000001, st.mask());
        assertEquals(0xF0000000, new BitField("ICC", 28, 4).mask());
        assertEquals(0xFFFFFFFF, new BitField("ALL", 0, 32).mask());
    }

    @Test
    void getShiftsDown() {
        assertEquals(0x15, ccs.get(0xFFFF_F5FF));
        assertEquals(0, ccs.get(0x0000_00FF));
        assertEquals(0xF, new BitField("ICC", 28, 4).get(0xF000_0000));
    }

    @Test
    void withReplacesOnlyTheField() {
        assertEquals(0xFFFF_E3FF, ccs.with(0xFFFF_FFFF, 3));
        assertEquals(0x0000_1F00, ccs.with(0, 31));
        assertEquals(0x8000_0000, new BitField("S64A", 31, 1).with(0, 1));
        assertEquals(0x1234_5678, new BitField("ALL", 0, 32).with(0, 0x1234_5678));
    }

    @Test
    void withRejectsValuesThatDoNotFit() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ccs.with(0, 32));
        assertTrue(e.getMessage().contains("CCS"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ccs.with(0, -1));
        assertThrows(IllegalArgumentException.class, () -> st.with(0, 2));
    }

    @Test
    void isSet() {
        assertTrue(st.isSet(0x1));
        assertFalse(st.isSet(0xFFFF_FFFE));
        assertTrue(ccs.isSet(0x100));
        assertFalse(ccs.isSet(0xFFFF_E0FF));
    }

    @Test
    void constructorRejectsFieldsOutsideTheRegister() {
        assertThrows(IllegalArgumentException.class, () -> new BitField("X", 31, 2));
        assertThrows(IllegalArgumentException.class, () -> new BitField("X", -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new BitField("X", 0, 0));
    }

    @Test
    void describeListsSetFieldsInTheOrderGiven() {
        int cmd = 0x0000_C011; // CR FR FRE ST
        assertEquals("ST FRE FR CR",
                BitField.describe(cmd, PortCmd.ST, PortCmd.FRE, PortCmd.FR, PortCmd.CR));
        assertEquals("", BitField.describe(0, PortCmd.ST, PortCmd.FRE));
    }

    @Test
    void describeGivesValuesOfWideFields() {
        int cmd = 0x1000_0510; // ICC=1, CCS=5, FRE
        assertEquals("ICC=1 CCS=5 FRE", BitField.describe(cmd, PortCmd.ICC, PortCmd.CCS,
                PortCmd.FRE, PortCmd.ST));
        assertEquals("ICC=1 CCS=5 FRE", PortCmd.describe(cmd));
    }

    @Test
    void nameAndToString() {
        assertEquals("CCS", ccs.name());
        assertEquals("CCS[12:8]", ccs.toString());
        assertEquals("ST[0]", st.toString());
    }
}
