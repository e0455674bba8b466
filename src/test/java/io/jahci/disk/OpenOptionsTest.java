package io.jahci.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jahci.ataport.CompletionMode;
import io.jahci.ataport.ThreadPlacement;
import io.jahci.ataport.WaitMode;
import io.jahci.hw.RegisterCounts;
import io.jahci.miniport.AhciHba;
import io.jahci.miniport.AhciPortOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** OpenOptions' {@code with} methods share one copy path: each changes its own component and no other. */
class OpenOptionsTest {
    @Test
    void eachWithChangesItsComponentKeepsTheOthersAndLeavesTheOriginalAlone() {
        OpenOptions base = OpenOptions.readOnly().withVerifier(false).withCompletion(CompletionMode.INTERRUPT);
        ThreadPlacement placement = new ThreadPlacement(Map.of(ThreadPlacement.Role.IRQ, 0), 0);
        RegisterCounts counts = new RegisterCounts();

        assertEquals(base, base.withAllowWrite(true).withAllowWrite(false));
        OpenOptions all = base.withAllowWrite(true).withSyncWithIsr(false).withVerifier(true)
                .withWaitMode(WaitMode.SPIN).withThreadPlacement(placement).withRegisterCounts(counts)
                .withCompletion(CompletionMode.POLL).withDeviceReadyMillis(7_000);
        assertEquals(new OpenOptions(true, false, true, WaitMode.SPIN, placement, counts, CompletionMode.POLL, 7_000),
                all);

        assertFalse(base.allowWrite());
        assertTrue(base.syncWithIsr());
        assertSame(WaitMode.BLOCK, base.waitMode());
        assertNull(base.registerCounts());
        assertEquals(base.withSyncWithIsr(false), new OpenOptions(false, false, false, WaitMode.BLOCK,
                base.threadPlacement(), null, CompletionMode.INTERRUPT, base.deviceReadyMillis()));
    }

    @Test
    void readWriteIsReadOnlyWithWritesAllowed() {
        OpenOptions readWrite = OpenOptions.readWrite();
        assertTrue(readWrite.allowWrite());
        assertFalse(OpenOptions.readOnly().allowWrite());
        assertEquals(OpenOptions.readOnly().withThreadPlacement(readWrite.threadPlacement()).withAllowWrite(true),
                readWrite);
    }

    @Test
    void theMiniportsConfigurationCarriesTheOptionsAndDefaultPortTunables() {
        AhciHba.Config config = OpenOptions.readOnly().withSyncWithIsr(false)
                .withWaitMode(WaitMode.HYBRID).withCompletion(CompletionMode.POLL).hbaConfig();
        assertEquals(AhciPortOptions.DEFAULT, config.ports());
        assertEquals(7_000, OpenOptions.readOnly().withDeviceReadyMillis(7_000).hbaConfig().ports().timeouts()
                .deviceReadyMillis());
        assertFalse(config.syncWithIsr());
        assertSame(WaitMode.HYBRID, config.driver().waitMode());
        assertSame(CompletionMode.POLL, config.driver().completionMode());
    }
}
