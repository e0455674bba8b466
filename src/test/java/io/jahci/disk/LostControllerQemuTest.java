package io.jahci.disk;

import io.jahci.fault.ControllerLostException;
import io.jahci.fault.Fault;
import io.jahci.fault.PortException;
import io.jahci.hw.DeviceLostException;
import io.jahci.hw.qemu.QemuTransport;
import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A lost controller reaches an API caller as one checked type, {@link ControllerLostException}, whichever
 * method met the loss: QEMU is killed under an open controller, and every public method that touches
 * the device then fails with it, never with the transport's unchecked {@link DeviceLostException}.
 */
@Tag("qemu")
class LostControllerQemuTest {
    @TempDir
    Path dir;

    @Test
    void everyApiMethodReportsALostControllerAsControllerLostException() throws Exception {
        Path image = Images.create(dir, "lost.img", 16L << 20);
        try (Controller c = Controller.open(DeviceSpec.parse("qemu:" + image), OpenOptions.readWrite())) {
            Disk disk = c.disk(0);
            disk.read(0, ByteBuffer.allocate(512));
            ProcessHandle qemu = ProcessHandle.of(((QemuTransport) c.transport()).qemuPid()).orElseThrow();
            qemu.destroyForcibly();
            qemu.onExit().get(10, TimeUnit.SECONDS);

            ControllerLostException registers = assertThrows(ControllerLostException.class, c::registers);
            assertEquals(Fault.CONTROLLER_LOST, registers.fault());
            assertInstanceOf(DeviceLostException.class, registers.getCause(), "the transport's exception is the cause");
            assertThrows(ControllerLostException.class, c::pciIdentity);
            PortException read = assertThrows(PortException.class, () -> disk.read(0, ByteBuffer.allocate(512)));
            assertInstanceOf(ControllerLostException.class, read, read.toString());
            assertInstanceOf(ControllerLostException.class,
                    assertThrows(PortException.class, disk::flush), "a non-queued command too");
        }
    }
}
