package io.jahci.hw.qemu;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The register-access limit from the environment: the default, a value, and a value that is not a number. */
class QemuConfigTest {
    @Test
    void replyTimeoutComesFromTheEnvironmentOrTheDefault() {
        assertEquals(QemuConfig.DEFAULT_REPLY_TIMEOUT_MILLIS,
                QemuConfig.fromEnvironment(List.of("a.img"), Map.of()).replyTimeoutMillis());
        assertEquals(2_500, QemuConfig.fromEnvironment(List.of("a.img"),
                Map.of(QemuConfig.REPLY_TIMEOUT_ENV, "2500")).replyTimeoutMillis());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QemuConfig.fromEnvironment(
                List.of("a.img"), Map.of(QemuConfig.REPLY_TIMEOUT_ENV, "2s")));
        assertTrue(e.getMessage().contains("JAHCI_QEMU_REPLY_TIMEOUT_MS must be a whole number of milliseconds, not '2s'"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QemuConfig.fromEnvironment(
                List.of("a.img"), Map.of(QemuConfig.REPLY_TIMEOUT_ENV, "0")));
    }
}
