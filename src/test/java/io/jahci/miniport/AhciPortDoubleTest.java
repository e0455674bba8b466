package io.jahci.miniport;

import org.junit.jupiter.api.DisplayName;

import io.jahci.ataport.PortDriverOptions;

import io.jahci.ahci.AtaCommand;
import io.jahci.ahci.AtaResult;
import io.jahci.ahci.AtaTaskFile;
import io.jahci.ahci.DeviceSignature;
import io.jahci.ahci.NcqErrorLog;
import io.jahci.ahci.PortCmd;
import io.jahci.ahci.PortRegister;
import io.jahci.ahci.PortSsts;
import io.jahci.fault.AtaCommandException;
import io.jahci.fault.CommandTimeoutException;
import io.jahci.fault.NoDeviceException;
import io.jahci.fault.PortException;
import io.jahci.miniport.AhciRegisterDouble.Issued;
import io.jahci.miniport.AhciRegisterDouble.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The port's bring-up, ISR and every recovery course against {@link AhciRegisterDouble}: the real
 * port layer and miniport, with the test playing the device. Faults QEMU cannot produce (an NCQ
 * error log, a link that drops under a command, a command that never ends) are made here on
 * purpose; no QEMU needed.
 */
class AhciPortDoubleTest {
    private static final int ERR_STATUS = 0x51;
    private static final int UNC = 0x40;
    private static final int ABRT = 0x04;

    private DoubleTransport transport;
    private AhciRegisterDouble device;
    private AhciHba hba;

    private AhciPort open(long commandMillis) throws Exception {
        Timeouts t = new Timeouts(25, 2_000, 1_000, 50, 1, 20, 100, 100, commandMillis);
        hba = AhciHba.open(transport, AhciHba.Config.defaults().withPorts(AhciPortOptions.DEFAULT.withTimeouts(t)));
        return hba.ports().get(0);
    }

    private AhciPort open() throws Exception {
        return open(10_000);
    }

    /** Opens the HBA on the double's ATA disk and takes its IDENTIFY DEVICE from the queue. */
    private AhciPort openReady() throws Exception {
        AhciPort port = open();
        expect(AtaCommand.IDENTIFY_DEVICE);
        return port;
    }

    @Test
    @DisplayName("Opening the HBA leaves the caller's PortDriverOptions as given (the ISR budget is sized on a copy)")
    void openLeavesTheCallersOptionsAlone() throws Exception {
        PortDriverOptions mine = new PortDriverOptions().isrBudget(1, TimeUnit.NANOSECONDS);
        hba = AhciHba.open(transport, new AhciHba.Config(AhciPortOptions.DEFAULT, true, mine));
        expect(AtaCommand.IDENTIFY_DEVICE);
        assertTrue(transport.registerAccessNanos() > 0, "the double's register access has a cost, so the budget grows");
        assertEquals(1, mine.isrBudgetNanos());
    }

    @Test
    @DisplayName("In poll mode, over a second of polls that find nothing is no interrupt storm: the read still completes")
    void pollsThatFindNothingAreNoInterruptStorm() throws Exception {
        AhciHba.Config config = AhciHba.Config.defaults().withPorts(AhciPortOptions.DEFAULT.withTimeouts(
                new Timeouts(25, 2_000, 1_000, 50, 1, 20, 100, 100, 30_000)));
        config.driver().completionMode(io.jahci.ataport.CompletionMode.POLL);
        hba = AhciHba.open(transport, config);
        AhciPort port = hba.ports().get(0);
        expect(AtaCommand.IDENTIFY_DEVICE);
        java.util.concurrent.CompletableFuture<Void> read = port.io().submit(false, 8, ByteBuffer.allocate(4096));
        Issued issued = expect(AtaCommand.READ_FPDMA_QUEUED);
        long start = System.nanoTime();
        long reads = device.pxIsReads();
        // The poller reads PxIS about once a millisecond while nothing arrives: wait until it has done
        // more than a storm's worth (1,000) over more than a storm's window (1 s).
        while (device.pxIsReads() - reads < 1_200 || System.nanoTime() - start < 1_200_000_000L) {
            assertTrue(System.nanoTime() - start < 30_000_000_000L, "the poller read PxIS only "
                    + (device.pxIsReads() - reads) + " times in 30 s");
            Thread.sleep(10);
            assertFalse(read.isDone(), "the read is still in its slot");
        }
        device.complete(issued.slot());
        read.get(10, TimeUnit.SECONDS);
        assertEquals(0, port.counters().interruptStorms(), port.history());
        assertEquals(PortState.READY, port.state());
    }

    @Test
    @DisplayName("At a JVM exit that skips close, the HBA's exit action resets it: no port keeps PxCMD.ST or FRE, so no FIS lands in freed memory")
    void exitWithoutCloseStopsTheEngines() throws Exception {
        openReady();
        int cmd = device.read32(PortRegister.CMD.offset(0));
        assertTrue(PortCmd.ST.isSet(cmd) && PortCmd.FRE.isSet(cmd), "a started port runs both engines: " + Integer.toHexString(cmd));
        Runnable atExit = transport.atExit();
        assertNotNull(atExit, "the HBA gave the transport an action for an exit without close");
        int resets = device.hbaResets();
        atExit.run();
        cmd = device.read32(PortRegister.CMD.offset(0));
        assertEquals(resets + 1, device.hbaResets());
        assertEquals(0, cmd & (PortCmd.ST.mask() | PortCmd.FRE.mask() | PortCmd.CR.mask() | PortCmd.FR.mask()),
                "PxCMD after the exit action: " + Integer.toHexString(cmd));
    }

    @BeforeEach
    void setUpDevice() throws Exception {
        transport = new DoubleTransport();
        device = transport.registers();
    }

    @AfterEach
    void close() {
        if (hba != null) {
            hba.close();
            assertEquals(java.util.List.of(), hba.portLayerFailures(), "port-layer failures");
        }
        if (transport != null) {
            transport.close();
        }
    }

    private static byte[] pattern(int seed, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }

    private static Throwable failure(CompletableFuture<Void> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        return e.getCause();
    }

    private Issued expect(int opcode) throws InterruptedException {
        Issued c = device.nextIssued();
        assertEquals(AtaCommand.name(opcode), AtaCommand.name(c.opcode()), c.toString());
        return c;
    }

    @Test
    @DisplayName("Verifier: a synchronous transfer in a completion continuation (DISPATCH) is BLOCKING_CALL_AT_RAISED_LEVEL before any command is taken or issued; the port works on")
    void synchronousTransferAtDispatchIsRefusedAtOnce() throws Exception {
        AhciPort port = openReady();
        CompletableFuture<Throwable> inContinuation = new CompletableFuture<>();
        CompletableFuture<Void> first = port.io().submit(false, 8, ByteBuffer.allocate(512));
        first.whenComplete((ok, error) -> { // runs where the completion runs: DISPATCH
            try {
                port.io().transfer(false, 0, ByteBuffer.allocate(512));
                inContinuation.complete(null);
            } catch (Throwable t) {
                inContinuation.complete(t);
            }
        });
        device.complete(expect(AtaCommand.READ_FPDMA_QUEUED).slot());
        Throwable thrown = inContinuation.get(10, TimeUnit.SECONDS);
        io.jahci.ataport.VerifierException e = assertInstanceOf(io.jahci.ataport.VerifierException.class, thrown,
                () -> String.valueOf(thrown));
        assertEquals(io.jahci.ataport.VerifierException.Rule.BLOCKING_CALL_AT_RAISED_LEVEL, e.rule());
        assertEquals("CommandPool.acquire", e.routine());
        assertEquals("DISPATCH", e.actual());
        assertEquals(0, port.io().commandsTaken(), "a command was taken at DISPATCH");
        CompletableFuture<Void> read = port.io().submit(false, 8, ByteBuffer.allocate(512));
        device.complete(expect(AtaCommand.READ_FPDMA_QUEUED).slot());
        read.get(10, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- bring-up

    @Test
    void bringUpWithAnAtaDiskIdentifiesItAndSizesTheQueue() throws Exception {
        AhciPort port = open();
        assertEquals(PortState.READY, port.state());
        assertEquals(DeviceSignature.ATA, port.signature());
        assertEquals("JAHCI REGISTER DOUBLE", port.identity().model());
        assertTrue(port.usesNcq());
        assertEquals(32, port.queueDepth());
        assertTrue(port.supportsFua());
        expect(AtaCommand.IDENTIFY_DEVICE);
        assertEquals(0, device.comresets(), "the link was up: no COMRESET");
    }

    @Test
    void bringUpWithoutNcqOnTheHbaUsesOneNonQueuedCommand() throws Exception {
        device.withoutNcq();
        AhciPort port = open();
        assertFalse(port.usesNcq());
        assertEquals(1, port.queueDepth());
    }

    @Test
    void bringUpWithNoLinkTriesOneComresetAndReportsNoDevice() throws Exception {
        device.det(PortSsts.DET_NONE);
        device.detAfterComreset(PortSsts.DET_NONE);
        AhciPort port = open();
        assertEquals(PortState.NO_DEVICE, port.state());
        assertEquals(1, device.comresets());
        assertNull(port.identity());
        assertThrows(NoDeviceException.class, () -> port.io().transfer(false, 0, ByteBuffer.allocate(512)));
    }

    @Test
    void bringUpWithANonAtaDeviceLeavesItAlone() throws Exception {
        // ATA disks and ATAPI devices are driven; a port multiplier is not
        device.signature(DeviceSignature.PORT_MULTIPLIER.value());
        AhciPort port = open();
        assertEquals(PortState.UNSUPPORTED_DEVICE, port.state());
        assertEquals(DeviceSignature.PORT_MULTIPLIER, port.signature());
        assertNull(port.identity(), "not identified");
        PortException e = assertThrows(PortException.class, () -> port.io().transfer(false, 0, ByteBuffer.allocate(512)));
        assertTrue(e.getMessage().contains("UNSUPPORTED_DEVICE, not READY"), e.getMessage());
    }

    @Test
    void aDeviceBusyAtStartIsComresetAndComesBack() throws Exception {
        device.taskFile(0x80);
        AhciPort port = open();
        assertEquals(PortState.READY, port.state());
        assertEquals(1, device.comresets());
    }

    @Test
    void aDeviceThatStaysBusyAfterComresetFailsTheStart() throws Exception {
        device.taskFile(0x80);
        device.taskFileAfterComreset(0x80);
        AhciPort port = open();
        assertEquals(PortState.FAILED, port.state());
        assertEquals(1, device.comresets());
        assertEquals(1, hba.warnings().size(), hba.warnings().toString());
        assertTrue(hba.warnings().get(0).contains("the device stays busy (PxTFD"), hba.warnings().get(0));
    }

    // ---------------------------------------------------------------- ISR

    @Test
    void theIsrCompletesQueuedCommandsInTheOrderTheDeviceEndsThem() throws Exception {
        AhciPort port = openReady();
        ByteBuffer[] buffers = new ByteBuffer[3];
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] futures = new CompletableFuture[3];
        Issued[] issued = new Issued[3];
        for (int i = 0; i < 3; i++) {
            buffers[i] = ByteBuffer.allocate(4096);
            futures[i] = port.io().submit(false, 100L * i, buffers[i]);
            issued[i] = expect(AtaCommand.READ_FPDMA_QUEUED);
            assertTrue(issued[i].queued());
            assertEquals(100L * i, issued[i].lba());
            assertEquals(8, issued[i].count());
        }
        for (int i = 2; i >= 0; i--) {
            device.writeData(issued[i].slot(), pattern(i, 4096));
            device.complete(issued[i].slot());
            futures[i].get(10, TimeUnit.SECONDS);
            assertArrayEquals(pattern(i, 4096), buffers[i].array(), "read " + i);
            for (int j = 0; j < i; j++) {
                assertFalse(futures[j].isDone(), "read " + j + " is still in flight");
            }
        }
        assertEquals(PortState.READY, port.state());
        assertEquals(0, port.counters().commandsRetried());
    }

    // ---------------------------------------------------------------- recovery

    /** Two queued reads in flight; returns their futures and slots. */
    private Object[] twoQueuedReads(AhciPort port) throws Exception {
        CompletableFuture<Void> a = port.io().submit(false, 100, ByteBuffer.allocate(4096));
        Issued ia = expect(AtaCommand.READ_FPDMA_QUEUED);
        CompletableFuture<Void> b = port.io().submit(false, 2000, ByteBuffer.allocate(4096));
        Issued ib = expect(AtaCommand.READ_FPDMA_QUEUED);
        return new Object[] {a, ia, b, ib};
    }

    @Test
    @SuppressWarnings("unchecked")
    void anNcqErrorWithTheLogFailsTheNamedTagAndRetriesTheOtherWithoutComreset() throws Exception {
        AhciPort port = openReady();
        Object[] r = twoQueuedReads(port);
        Issued good = (Issued) r[1];
        Issued bad = (Issued) r[3];
        device.fail(ERR_STATUS, UNC);
        Issued log = expect(AtaCommand.READ_LOG_EXT);
        assertEquals(NcqErrorLog.LOG_ADDRESS, log.lba() & 0xff, "log 10h");
        byte[] page = new byte[512];
        page[0] = (byte) bad.slot();
        page[2] = (byte) ERR_STATUS;
        page[3] = (byte) UNC;
        device.writeData(log.slot(), page);
        device.complete(log.slot());
        Issued retry = expect(AtaCommand.READ_DMA_EXT);
        assertEquals(100, retry.lba(), "the other command, retried alone and non-queued");
        device.complete(retry.slot());
        ((CompletableFuture<Void>) r[0]).get(10, TimeUnit.SECONDS);
        AtaCommandException e = assertInstanceOf(AtaCommandException.class, failure((CompletableFuture<Void>) r[2]));
        assertEquals(2000, e.lba());
        assertEquals(UNC, e.error());
        assertTrue(e.getMessage().contains("The NCQ error log named it (tag " + bad.slot() + ")"), e.getMessage());
        assertEquals(0, device.comresets(), "the log made a COMRESET unnecessary");
        assertEquals(1, port.counters().commandsRetried());
        assertEquals(PortState.READY, port.state());
        assertNotEquals(good.slot(), bad.slot());
    }

    @Test
    @SuppressWarnings("unchecked")
    void anNcqErrorWithoutTheLogComresetsAndRetriesEachCommandAlone() throws Exception {
        AhciPort port = openReady();
        Object[] r = twoQueuedReads(port);
        device.fail(ERR_STATUS, UNC);
        expect(AtaCommand.READ_LOG_EXT);
        device.fail(ERR_STATUS, ABRT);
        Issued first = expect(AtaCommand.READ_DMA_EXT);
        assertEquals(100, first.lba());
        device.complete(first.slot());
        Issued second = expect(AtaCommand.READ_DMA_EXT);
        assertEquals(2000, second.lba());
        device.fail(ERR_STATUS, UNC);
        ((CompletableFuture<Void>) r[0]).get(10, TimeUnit.SECONDS);
        AtaCommandException e = assertInstanceOf(AtaCommandException.class, failure((CompletableFuture<Void>) r[2]));
        assertEquals(2000, e.lba());
        assertTrue(e.getMessage().contains("Retried alone, it failed again"), e.getMessage());
        assertEquals(1, device.comresets(), "no log: COMRESET before the retries");
        assertEquals(2, port.counters().commandsRetried());
        assertEquals(PortState.READY, port.state());
    }

    @Test
    void anErrorOnTheOnlyNonQueuedCommandFailsItWithoutRetryOrComreset() throws Exception {
        device.withoutNcq();
        AhciPort port = openReady();
        CompletableFuture<Void> f = port.io().submit(false, 2000, ByteBuffer.allocate(4096));
        expect(AtaCommand.READ_DMA_EXT);
        device.fail(ERR_STATUS, UNC);
        AtaCommandException e = assertInstanceOf(AtaCommandException.class, failure(f));
        assertEquals(ERR_STATUS, e.status());
        assertTrue(e.getMessage().contains("UNC"), e.getMessage());
        assertEquals(0, port.counters().commandsRetried());
        assertEquals(0, device.comresets());
        assertEquals(PortState.READY, port.state());
    }

    @Test
    void aCommandPastItsDeadlineFailsAsTimedOutAfterAComreset() throws Exception {
        AhciPort port = open(300);
        expect(AtaCommand.IDENTIFY_DEVICE);
        CompletableFuture<Void> f = port.io().submit(false, 100, ByteBuffer.allocate(4096));
        expect(AtaCommand.READ_FPDMA_QUEUED);
        CommandTimeoutException e = assertInstanceOf(CommandTimeoutException.class, failure(f));
        assertTrue(e.getMessage().contains("did not complete within 300 ms"), e.getMessage());
        assertEquals(1, device.comresets());
        assertEquals(PortState.READY, port.state());
        CompletableFuture<Void> after = port.io().submit(false, 200, ByteBuffer.allocate(512));
        device.complete(expect(AtaCommand.READ_FPDMA_QUEUED).slot());
        after.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aLostLinkFailsTheCommandsAsRemovedAndLeavesThePortEmpty() throws Exception {
        AhciPort port = openReady();
        CompletableFuture<Void> f = port.io().submit(false, 100, ByteBuffer.allocate(4096));
        expect(AtaCommand.READ_FPDMA_QUEUED);
        device.detAfterComreset(PortSsts.DET_NONE);
        device.unplug();
        NoDeviceException e = assertInstanceOf(NoDeviceException.class, failure(f));
        assertTrue(e.getMessage().contains("the disk was removed"), e.getMessage());
        assertEquals(PortState.NO_DEVICE, port.state());
        assertNull(port.identity());
        assertThrows(NoDeviceException.class, () -> port.io().transfer(false, 0, ByteBuffer.allocate(512)));
    }

    @Test
    void anArrivingDiskIsBroughtUpIdentifiedAndAnnounced() throws Exception {
        device.det(PortSsts.DET_NONE);
        device.detAfterComreset(PortSsts.DET_NONE);
        AhciPort port = open();
        assertEquals(PortState.NO_DEVICE, port.state());
        SynchronousQueue<AhciPort> arrived = new SynchronousQueue<>();
        port.onArrival(p -> {
            try {
                arrived.put(p);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        device.detAfterComreset(PortSsts.DET_PRESENT_PHY);
        device.plug();
        assertSame(port, arrived.poll(10, TimeUnit.SECONDS), "the arrival listener was called");
        assertEquals(PortState.READY, port.state());
        assertEquals("JAHCI REGISTER DOUBLE", port.identity().model());
        expect(AtaCommand.IDENTIFY_DEVICE);
        CompletableFuture<Void> f = port.io().submit(true, 7, ByteBuffer.wrap(pattern(1, 512)));
        device.complete(expect(AtaCommand.WRITE_FPDMA_QUEUED).slot());
        f.get(10, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- execute

    @Test
    void executeReturnsTheRegistersOfTheD2hFisThisCommandEndedWith() throws Exception {
        AhciPort port = openReady();
        CompletableFuture<AtaResult> smart = CompletableFuture.supplyAsync(() -> execute(port,
                AtaTaskFile.nonData(0xB0, 0xDA, 0xC24F00, 0, 0), null));
        Issued c = expect(0xB0);
        assertEquals(0xC24F00, c.lba());
        device.completeWithRegisters(c.slot(), 0x2CF400, 0);
        AtaResult r = smart.get(10, TimeUnit.SECONDS);
        assertTrue(r.hasRegisters());
        assertEquals(0x2CF400, r.lba(), "threshold exceeded, as the device said");
        assertEquals(0x50, r.status());
    }

    @Test
    void aPioDataInCommandEndedWithoutAD2hFisReportsNoRegistersRatherThanStaleOnes() throws Exception {
        AhciPort port = openReady();
        CompletableFuture<AtaResult> power = CompletableFuture.supplyAsync(() -> execute(port,
                AtaTaskFile.nonData(0xE5, 0, 0, 0, 0), null));
        device.completeWithRegisters(expect(0xE5).slot(), 0, 0xFF);
        assertEquals(0xFF, power.get(10, TimeUnit.SECONDS).count(), "the first command's count");
        ByteBuffer page = ByteBuffer.allocate(512);
        CompletableFuture<AtaResult> read = CompletableFuture.supplyAsync(() -> execute(port,
                AtaTaskFile.dataIn(0xB0, 0xD0, 0xC24F00, 1, 0, 512), page));
        Issued c = expect(0xB0);
        device.writeData(c.slot(), pattern(3, 512));
        device.completeWithPioSetupOnly(c.slot());
        AtaResult r = read.get(10, TimeUnit.SECONDS);
        assertFalse(r.hasRegisters(), "not the previous command's FFh: " + r);
        assertEquals(-1, r.count());
        assertArrayEquals(pattern(3, 512), page.array());
    }

    private static AtaResult execute(AhciPort port, AtaTaskFile tf, ByteBuffer data) {
        try {
            return port.io().execute(tf, data);
        } catch (PortException e) {
            throw new java.util.concurrent.CompletionException(e);
        }
    }

    @Test
    void anIllegalStateChangeNamesBothStates() throws Exception {
        device.det(PortSsts.DET_NONE);
        device.detAfterComreset(PortSsts.DET_NONE);
        AhciPort port = open();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> port.enter(PortState.READY));
        assertTrue(e.getMessage().contains("NO_DEVICE -> READY"), e.getMessage());
        assertEquals(PortState.NO_DEVICE, port.state(), "unchanged");
    }
}
