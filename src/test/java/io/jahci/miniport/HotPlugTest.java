package io.jahci.miniport;

import io.jahci.ahci.HbaRegister;
import io.jahci.ahci.PortIs;
import io.jahci.ahci.PortRegister;
import io.jahci.ahci.PortSsts;
import io.jahci.fault.PortException;
import io.jahci.hw.EventFdInterruptSource;
import io.jahci.hw.RegisterWindow;
import io.jahci.hw.Transport;
import io.jahci.hw.qemu.QemuConfig;
import io.jahci.hw.qemu.QemuTransport;
import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import io.jahci.testing.Throttle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.spy;

/**
 * Hot-plug. QEMU's AHCI bus refuses device_del ("Bus 'ahci1.0' does not support hotplugging"),
 * so the unplug is a fault injected on QEMU's real registers: while "unplugged", port 0's PxSSTS
 * reads DET=0, and one PhyRdy change (PxIS.PRCS) is raised with the interrupt; re-plugging
 * raises a port connect change (PCS) and lets the real registers show again. Everything else,
 * COMRESET and IDENTIFY of the returning disk included, is QEMU's AHCI.
 */
@Tag("qemu")
class HotPlugTest {
    @TempDir
    Path dir;

    private final AtomicBoolean unplugged = new AtomicBoolean();
    private final AtomicInteger injectedChange = new AtomicInteger();

    @Test
    void outstandingRequestsFailCleanlyNewOnesGetNoDeviceAndAReturningDiskIsIdentified() throws Exception {
        Path image = Images.create(dir, "hot.img", 8 << 20);
        byte[] contents = Images.random(61, 8 << 20);
        Images.write(image, 0, contents);
        try (QemuTransport qemu = QemuTransport.open(QemuConfig.fromEnvironment(List.of(image.toString())))) {
            Transport transport = spy(qemu);
            RegisterWindow abar = spy(qemu.abar());
            doReturn(abar).when(transport).abar();
            doAnswer(inv -> inject(inv.getArgument(0), (int) inv.callRealMethod())).when(abar).read32(anyInt());
            AtomicInteger arrivals = new AtomicInteger();
            try (AhciHba hba = AhciHba.open(transport, AhciHba.Config.defaults())) {
                AhciPort port = hba.ports().get(0);
                port.onArrival(p -> arrivals.incrementAndGet());
                Throttle.iops(qemu, 1);
                CompletableFuture<Void> first = port.io().submit(false, 0, ByteBuffer.allocate(4096));
                CompletableFuture<Void> second = port.io().submit(false, 100, ByteBuffer.allocate(4096));

                unplugged.set(true);
                raise(qemu, PortIs.PRCS.mask());
                int removed = 0;
                for (CompletableFuture<Void> f : List.of(first, second)) {
                    try {
                        f.get(20, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        assertTrue(e.getCause().getMessage().contains("the disk was removed"), e.getCause().getMessage());
                        removed++;
                    }
                }
                assertTrue(removed >= 1, "the request still waiting for the throttled drive failed as removed");
                assertEquals(PortState.NO_DEVICE, port.state());
                assertNull(port.identity());
                PortException noDevice = assertThrows(PortException.class,
                        () -> port.io().transfer(false, 0, ByteBuffer.allocate(512)));
                assertTrue(noDevice.getMessage().contains("no disk is attached"), noDevice.getMessage());

                Throttle.iops(qemu, 0);
                unplugged.set(false);
                raise(qemu, PortIs.PCS.mask());
                long deadline = System.currentTimeMillis() + 20_000;
                while (arrivals.get() == 0 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(10);
                }
                assertEquals(1, arrivals.get(), "the returning disk was announced");
                assertEquals(PortState.READY, port.state());
                assertEquals("QEMU HARDDISK", port.identity().model());
                ByteBuffer back = ByteBuffer.allocate(4096);
                port.io().transfer(false, 1000, back);
                byte[] expected = new byte[4096];
                System.arraycopy(contents, 1000 * 512, expected, 0, 4096);
                assertArrayEquals(expected, back.array());
            }
        }
    }

    /** Makes the next interrupt carry {@code portIsBits} on port 0, then fires the interrupt. */
    private void raise(QemuTransport qemu, int portIsBits) {
        injectedChange.set(portIsBits);
        ((EventFdInterruptSource) qemu.interrupt()).signal();
    }

    private int inject(int offset, int real) {
        if (offset == PortRegister.SSTS.offset(0) && unplugged.get()) {
            return PortSsts.DET.with(real, PortSsts.DET_NONE);
        }
        if (offset == HbaRegister.IS.offset() && injectedChange.get() != 0) {
            return real | 1;
        }
        if (offset == PortRegister.IS.offset(0)) {
            return real | injectedChange.getAndSet(0);
        }
        return real;
    }
}
