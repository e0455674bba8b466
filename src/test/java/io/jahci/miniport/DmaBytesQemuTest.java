package io.jahci.miniport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.spy;

import io.jahci.hw.Transport;
import io.jahci.hw.qemu.QemuConfig;
import io.jahci.hw.qemu.QemuTransport;
import io.jahci.testing.Images;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AhciPortOptions#dmaBytesPerPort} is what the ports really allocate: every allocateDma of a controller
 * brought up on QEMU's AHCI (one NCQ disk, empty ports) is added up and compared with it. {@code jahci doctor}
 * compares the locked-memory limit with this number.
 */
@Tag("qemu")
class DmaBytesQemuTest {
    @TempDir
    Path dir;

    @Test
    void thePortsAllocateWhatDmaBytesPerPortSays() throws Exception {
        Path image = Images.create(dir, "d.img", 8 << 20);
        AtomicLong allocated = new AtomicLong();
        try (QemuTransport qemu = QemuTransport.open(QemuConfig.fromEnvironment(List.of(image.toString())))) {
            Transport transport = spy(qemu);
            doAnswer(inv -> {
                allocated.addAndGet(inv.getArgument(0));
                return inv.callRealMethod();
            }).when(transport).allocateDma(anyLong(), anyLong());
            try (AhciHba hba = AhciHba.open(transport, AhciHba.Config.defaults())) {
                AhciPortOptions options = AhciPortOptions.DEFAULT;
                long expected = 0;
                for (AhciPort port : hba.ports()) {
                    expected += options.dmaBytesPerPort(port.queueDepth());
                }
                assertEquals(32, hba.ports().get(0).queueDepth(), "QEMU's disk queues 32 commands");
                assertEquals(expected, allocated.get());
                assertEquals(options.dmaBytesPerPort(32) + (hba.ports().size() - 1) * options.dmaBytesPerPort(1),
                        allocated.get());
            }
        }
    }
}
