package io.jahci.miniport;

import io.jahci.hw.qemu.QemuConfig;
import io.jahci.hw.qemu.QemuTransport;

import java.util.List;

/** An HBA brought up on a fresh QEMU, and its teardown, for the miniport's QEMU tests. */
final class QemuHba {
    private QemuHba() {}

    static AhciHba open(String image, AhciHba.Config config) throws Exception {
        QemuTransport t = QemuTransport.open(QemuConfig.fromEnvironment(List.of(image)));
        try {
            return AhciHba.open(t, config);
        } catch (Exception e) {
            t.close();
            throw e;
        }
    }

    static void close(AhciHba hba) {
        hba.close();
        hba.transport().close();
    }
}
