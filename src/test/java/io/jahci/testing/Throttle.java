package io.jahci.testing;

import io.jahci.hw.qemu.QemuTransport;
import java.io.IOException;
import java.util.Map;

/** QEMU's I/O throttling of drive {@code disk0} over QMP ({@code block_set_io_throttle}), for timeout tests. */
public final class Throttle {
    private Throttle() {}

    /** Limits disk0 to {@code iops} I/Os per second; 0 lifts the limit. */
    public static void iops(QemuTransport qemu, int iops) throws IOException {
        qemu.qmp("block_set_io_throttle", Map.of("id", "disk0", "bps", 0, "bps_rd", 0, "bps_wr", 0,
                "iops", iops, "iops_rd", 0, "iops_wr", 0));
    }
}
