package io.jahci.hw.pci;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class BdfTest {
    @Test
    void acceptsTheFullFormAndNormalisesCase() {
        assertEquals("0000:00:05.0", Bdf.parse("0000:00:05.0"));
        assertEquals("0000:3a:1f.7", Bdf.parse("0000:3A:1F.7"));
        assertEquals("0001:00:00.0", Bdf.parse(" 0001:00:00.0 "));
    }

    @Test
    void theShortFormMeansDomainZero() {
        assertEquals("0000:00:1f.2", Bdf.parse("00:1f.2"));
    }

    @Test
    void rejectsAnythingElseNamingTheExpectedForm() {
        for (String bad : new String[] {"", "0:5.0", "0000:00:20.0", "0000:00:05.8", "0000:00:05", "00000:00:05.0",
                "0000-00-05.0", "vfio", "0000:0g:05.0"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Bdf.parse(bad), bad);
            assertTrue(e.getMessage().contains("0000:00:05.0"), e.getMessage());
            assertTrue(e.getMessage().contains("jahci list"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Bdf.parse(null));
    }
}
