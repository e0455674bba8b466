package io.jahci.miniport;

import io.jahci.ahci.CommandHeader;
import io.jahci.ahci.HbaRegister;
import io.jahci.ahci.PortCmd;
import io.jahci.ahci.PortIs;
import io.jahci.ahci.PortRegister;
import io.jahci.fault.ControllerLostException;
import io.jahci.fault.PortException;
import io.jahci.hw.DmaMemory;
import io.jahci.hw.EventFdInterruptSource;
import io.jahci.hw.PciFunction;
import io.jahci.hw.RegisterWindow;
import io.jahci.hw.Transport;
import io.jahci.hw.qemu.QemuConfig;
import io.jahci.hw.qemu.QemuTransport;
import io.jahci.testing.Images;
import io.jahci.testing.Throttle;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.spy;

/**
 * Faults QEMU's AHCI cannot produce, injected on its real registers and DMA memory (a Mockito spy,
 * as in {@link HotPlugTest}): a short PRD byte count, interrupts for slots never issued, a PxIS bit
 * that cannot be cleared on a line that keeps firing, a command engine that will not stop.
 * Everything else is QEMU's AHCI.
 */
@Tag("qemu")
class FaultInjectionQemuTest {
    @TempDir
    Path dir;

    private final byte[] contents = Images.random(29, 4 << 20);
    private final AtomicBoolean shortPrdbc = new AtomicBoolean();
    private final AtomicInteger injectIs = new AtomicInteger();
    private final AtomicBoolean stuckIs = new AtomicBoolean();
    private final AtomicBoolean stuckCr = new AtomicBoolean();
    private final List<DmaMemory> portStructures = new ArrayList<>();

    private QemuTransport qemu(int disks) throws Exception {
        List<String> images = new ArrayList<>();
        for (int i = 0; i < disks; i++) {
            Path image = Images.create(dir, "f" + i + ".img", 4 << 20);
            Images.write(image, 0, contents);
            images.add(image.toString());
        }
        return QemuTransport.open(QemuConfig.fromEnvironment(images));
    }

    /** QEMU's transport with its registers and port-structure allocations watched. */
    private Transport spied(QemuTransport qemu) throws Exception {
        Transport transport = spy(qemu);
        RegisterWindow abar = spy(qemu.abar());
        doReturn(abar).when(transport).abar();
        doAnswer(inv -> inject(inv.getArgument(0), (int) inv.callRealMethod())).when(abar).read32(anyInt());
        doAnswer(inv -> {
            DmaMemory m = (DmaMemory) inv.callRealMethod();
            if ((long) inv.getArgument(0) == PortLink.STRUCTURES_BYTES) {
                portStructures.add(m);
            }
            return m;
        }).when(transport).allocateDma(anyLong(), anyLong());
        return transport;
    }

    private int inject(int offset, int real) {
        if (offset == PortRegister.CI.offset(0) && shortPrdbc.get()) {
            // The command completed; make its header say the HBA moved one sector only.
            ByteBuffer list = portStructures.get(0).buffer();
            for (int slot = 0; slot < CommandHeader.SLOTS; slot++) {
                list.putInt(CommandHeader.offset(PortLink.LIST_OFFSET, slot) + 4, 512);
            }
        }
        if (offset == HbaRegister.IS.offset() && (injectIs.get() != 0 || stuckIs.get())) {
            return real | 1;
        }
        if (offset == PortRegister.IS.offset(0)) {
            return real | injectIs.getAndSet(0) | (stuckIs.get() ? PortIs.DHRS.mask() : 0);
        }
        if (offset == PortRegister.CMD.offset(0) && stuckCr.get()) {
            return real | PortCmd.CR.mask();
        }
        return real;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting until " + what);
            Thread.sleep(10);
        }
    }

    @Test
    void aShortPrdByteCountFailsTheReadAndLeavesTheCallersBufferAlone() throws Exception {
        try (QemuTransport qemu = qemu(1);
             AhciHba hba = AhciHba.open(spied(qemu), AhciHba.Config.defaults().withPorts(AhciPortOptions.DEFAULT.withNcq(false)))) {
            AhciPort port = hba.ports().get(0);
            byte[] sentinel = new byte[4096];
            Arrays.fill(sentinel, (byte) 0x5a);
            ByteBuffer buffer = ByteBuffer.wrap(sentinel.clone());
            shortPrdbc.set(true);
            PortException e = assertThrows(PortException.class, () -> port.io().transfer(false, 8, buffer));
            assertTrue(e.getMessage().contains("READ DMA EXT, LBA 8..15 (8 sectors) failed: short transfer, the HBA moved "
                    + "512 of 4096 bytes"), e.getMessage());
            assertArrayEquals(sentinel, buffer.array(), "no stale DMA buffer data was returned as read data");
            byte[] same = Arrays.copyOfRange(contents, 8 * 512, 16 * 512);
            PortException w = assertThrows(PortException.class, () -> port.io().transfer(true, 8, ByteBuffer.wrap(same)));
            assertTrue(w.getMessage().contains("short transfer"), w.getMessage());
            shortPrdbc.set(false);
            port.io().transfer(false, 8, buffer);
            assertArrayEquals(Arrays.copyOfRange(contents, 8 * 512, 16 * 512), buffer.array());
            assertEquals(List.of(), hba.portLayerFailures());
        }
    }

    @Test
    void interruptsForSlotsNeverIssuedCompleteNothingAndAreCountedAsSpurious() throws Exception {
        try (QemuTransport qemu = qemu(1); AhciHba hba = AhciHba.open(spied(qemu), AhciHba.Config.defaults())) {
            AhciPort port = hba.ports().get(0);
            Throttle.iops(qemu, 1);
            ByteBuffer first = ByteBuffer.allocate(4096);
            ByteBuffer second = ByteBuffer.allocate(4096);
            CompletableFuture<Void> a = port.io().submit(false, 0, first);
            CompletableFuture<Void> b = port.io().submit(false, 64, second);
            a.get(30, TimeUnit.SECONDS);
            long before = port.counters().spuriousInterrupts();
            // A Set Device Bits FIS and a D2H FIS for tags the port never issued, while b waits for the
            // throttle. An injection that meets b's real completion is not spurious: inject again.
            while (port.counters().spuriousInterrupts() == before) {
                injectIs.set(PortIs.SDBS.mask() | PortIs.DHRS.mask());
                ((EventFdInterruptSource) qemu.interrupt()).signal();
                await(() -> injectIs.get() == 0, "the interrupt was serviced");
            }
            b.get(30, TimeUnit.SECONDS);
            assertArrayEquals(Arrays.copyOfRange(contents, 0, 4096), first.array());
            assertArrayEquals(Arrays.copyOfRange(contents, 64 * 512, 64 * 512 + 4096), second.array());
            assertEquals(List.of(), hba.portLayerFailures(), "each request completed once");
        }
    }

    @Test
    void aPxIsBitThatCannotBeClearedOnAFiringLineMasksThatPortOnlyAndGivesItUp() throws Exception {
        try (QemuTransport qemu = qemu(2); AhciHba hba = AhciHba.open(spied(qemu), AhciHba.Config.defaults())) {
            AhciPort stormy = hba.ports().get(0);
            AhciPort other = hba.ports().get(1);
            stuckIs.set(true);
            AtomicBoolean firing = new AtomicBoolean(true);
            Thread line = new Thread(() -> {
                while (firing.get()) {
                    ((EventFdInterruptSource) qemu.interrupt()).signal();
                    Thread.onSpinWait();
                }
            });
            line.start();
            try {
                ByteBuffer back = ByteBuffer.allocate(4096);
                other.io().transfer(false, 16, back);
                assertArrayEquals(Arrays.copyOfRange(contents, 16 * 512, 16 * 512 + 4096), back.array(),
                        "the other port works during the storm");
                await(() -> stormy.state() == PortState.FAILED, "the storming port is given up");
                other.io().transfer(false, 24, back.clear()); // the first read left its position at the limit
                assertArrayEquals(Arrays.copyOfRange(contents, 24 * 512, 24 * 512 + 4096), back.array(),
                        "the other port works after it");
            } finally {
                firing.set(false);
                line.join();
            }
            assertTrue(stormy.counters().interruptStorms() > InterruptStorm.MAX_STORMS - 1, "storms: " + stormy.counters().interruptStorms());
            assertTrue(stormy.counters().spuriousInterrupts() >= InterruptStorm.MAX_STORMS * InterruptStorm.STORM_INTERRUPTS);
            assertEquals(0, hba.transport().abar().read32(PortRegister.IE.offset(0)), "its interrupts stay masked");
            PortException e = assertThrows(PortException.class, () -> stormy.io().transfer(false, 0, ByteBuffer.allocate(512)));
            assertTrue(e.getMessage().contains("FAILED"), e.getMessage());
            assertEquals(0, other.counters().interruptStorms());
            assertEquals(List.of(), hba.portLayerFailures());
        }
    }

    @Test
    void anEngineThatWillNotStopHasBusMasteringTurnedOffBeforeItsCommandsFail() throws Exception {
        try (QemuTransport qemu = qemu(1); AhciHba hba = AhciHba.open(spied(qemu), AhciHba.Config.defaults())) {
            AhciPort port = hba.ports().get(0);
            Throttle.iops(qemu, 1);
            List<CompletableFuture<Void>> requests = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                requests.add(port.io().submit(false, 8L * i, ByteBuffer.allocate(4096)));
            }
            stuckCr.set(true);
            port.channel().reset(); // recovery must stop the engine before it may fail or retry anything
            int lost = 0;
            for (CompletableFuture<Void> f : requests) {
                try {
                    f.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    assertInstanceOf(ControllerLostException.class, e.getCause());
                    assertTrue(e.getCause().getMessage().contains("PxCMD.CR stays set after clearing ST"), e.getCause().getMessage());
                    assertTrue(e.getCause().getMessage().contains("bus mastering was turned off"), e.getCause().getMessage());
                    lost++;
                }
            }
            assertTrue(lost > 0, "the commands recovery took failed as lost");
            assertEquals(0, qemu.pci().readConfig16(PciFunction.COMMAND) & PciFunction.COMMAND_BUS_MASTER,
                    "bus mastering is off: the engine cannot move data any more");
            assertEquals(List.of(), hba.portLayerFailures());
        }
    }
}
