package io.jahci.hw.qemu;

import io.jahci.hw.DmaMemory;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class QemuTransportTest {
    @Test
    void bringsUpTheControllerAsABiosWould() throws Exception {
        Path img = Files.createTempFile("jahci-test", ".img");
        Files.write(img, new byte[1 << 20]);
        try (QemuTransport t = QemuTransport.open(QemuConfig.fromEnvironment(List.of(img.toString())))) {
            int cap = t.abar().read32(0);
            assertEquals(0xc0141f05, cap, Integer.toHexString(cap));
            assertEquals(0x3f, t.abar().read32(0x0c));
            DmaMemory m = t.allocateDma(4096, 1024);
            assertEquals(0, m.busAddress(0) % 1024);
            m.close();
        } finally {
            Files.deleteIfExists(img);
        }
    }
}
