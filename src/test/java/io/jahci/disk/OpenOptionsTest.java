package io.jahci.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jahci.ataport.CompletionMode;
import io.jahci.ataport.ThreadPlacement;
import io.jahci.ataport.WaitMode;
import io.jahci.hw.RegisterCounts;
import io.jahci.miniport.AhciHba;
import io.jahci.miniport.AhciPortOptions;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** OpenOptions is built: each builder method sets its own option, and the public surface names no port-layer type. */
class OpenOptionsTest {
    @Test
    void eachBuilderMethodReachesTheMiniportsConfigurationAndLeavesTheOthers() throws Exception {
        RegisterCounts counts = new RegisterCounts();
        OpenOptions all = OpenOptions.builder().allowWrite(true).syncWithIsr(false).verifier(true).waitMode("spin")
                .threadPlacement("irq=0", 0).countRegisterAccesses(counts).completion("poll")
                .deviceReadyTimeout(Duration.ofSeconds(7)).build();
        assertTrue(all.allowWrite());
        assertSame(counts, all.registerCounts());
        AhciHba.Config config = all.hbaConfig();
        assertFalse(config.syncWithIsr());
        assertTrue(all.toString().contains("verifier true"), all.toString());
        assertSame(WaitMode.SPIN, config.driver().waitMode());
        assertSame(CompletionMode.POLL, config.driver().completionMode());
        assertEquals(0, config.driver().threadPlacement().cpu(ThreadPlacement.Role.IRQ));
        assertEquals(7_000, config.ports().timeouts().deviceReadyMillis());

        OpenOptions changed = all.toBuilder().allowWrite(false).build();
        assertFalse(changed.allowWrite());
        assertTrue(all.allowWrite(), "the original stays as built");
        assertEquals(all.toString().replace("read-write", "read-only"), changed.toString(), "only allowWrite changed");
    }

    @Test
    void theDefaultsAreReadOnlyInterruptBlockUnpinnedWithTheMiniportsPortTunables() throws Exception {
        OpenOptions readOnly = OpenOptions.readOnly();
        assertFalse(readOnly.allowWrite());
        assertTrue(OpenOptions.readWrite().allowWrite());
        assertNull(readOnly.registerCounts());
        AhciHba.Config config = readOnly.hbaConfig();
        assertEquals(AhciPortOptions.DEFAULT, config.ports());
        assertTrue(config.syncWithIsr());
        assertSame(WaitMode.BLOCK, config.driver().waitMode());
        assertFalse(config.driver().threadPlacement().requestsAnything());
        assertEquals(OpenOptions.readWrite().toString().replace("read-write", "read-only"), readOnly.toString());
    }

    @Test
    void badValuesAreRefusedWhenGivenNamingWhatIsAllowed() {
        OpenOptions.Builder b = OpenOptions.builder();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.completion("fast")).getMessage()
                .contains("use interrupt, hybrid or poll"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.waitMode("nap")).getMessage()
                .contains("hybrid:MICROS"));
        assertThrows(IllegalArgumentException.class, () -> b.threadPlacement(null, 100));
        assertThrows(IllegalArgumentException.class, () -> b.deviceReadyTimeout(Duration.ZERO));
    }

    @Test
    void thePublicSurfaceNamesNoPortLayerType() {
        List<String> leaks = new ArrayList<>();
        for (Class<?> c : List.of(OpenOptions.class, OpenOptions.Builder.class)) {
            for (Method m : c.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers())) {
                    continue;
                }
                List<Class<?>> types = new ArrayList<>(List.of(m.getParameterTypes()));
                types.add(m.getReturnType());
                for (Class<?> t : types) {
                    String name = t.getName();
                    if (name.startsWith("io.jahci.ataport") || name.startsWith("io.jahci.miniport")) {
                        leaks.add(c.getSimpleName() + "." + m.getName() + ": " + name);
                    }
                }
            }
            assertEquals(0, c.getConstructors().length, c + " is built, not constructed");
        }
        assertEquals(List.of(), leaks);
    }
}
