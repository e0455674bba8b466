package io.jahci.miniport;

import io.jahci.ahci.AtaCommand;
import io.jahci.miniport.AhciRegisterDouble.Issued;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The in-place I/O of {@link PortIo} against the register double: a reserved command moves the
 * caller's bytes from its own DMA buffer, stays reserved across transfers, and every misuse
 * (reserving twice, releasing or restarting while in flight, a transfer without a command) is an
 * error that changes nothing. The double holds each command until the test completes it, so "in
 * flight" is a fact here, not a race.
 */
class ReservedCommandDoubleTest {
    private DoubleTransport transport;
    private AhciRegisterDouble device;
    private AhciHba hba;
    private PortIo io;
    private final BlockingQueue<String> completions = new ArrayBlockingQueue<>(8);
    private final PortTransfer transfer = new PortTransfer((t, failure) -> completions.add(failure == null ? "ok"
            : failure.getMessage()));

    @BeforeEach
    void open() throws Exception {
        transport = new DoubleTransport();
        device = transport.registers();
        hba = AhciHba.open(transport, AhciHba.Config.defaults());
        AhciPort port = hba.ports().get(0);
        assertEquals(AtaCommand.name(AtaCommand.IDENTIFY_DEVICE), AtaCommand.name(device.nextIssued().opcode()));
        io = port.io();
    }

    @AfterEach
    void close() {
        hba.close();
        assertEquals(List.of(), hba.portLayerFailures(), "port-layer failures");
        transport.close();
    }

    private String completion() throws InterruptedException {
        String c = completions.poll(10, TimeUnit.SECONDS);
        assertNotNull(c, "the transfer's completion ran");
        return c;
    }

    @Test
    void aReservedCommandWritesFromItsOwnBufferAndStaysReservedAcrossTransfers() throws Exception {
        ByteBuffer data = io.reserve(transfer, 4096);
        assertEquals(0, data.position());
        assertEquals(4096, data.limit());
        assertEquals(1, io.commandsTaken(), "reserved, not yet in flight, already taken");
        for (int i = 0; i < 4096; i++) {
            data.put((byte) i);
        }
        io.submitReserved(transfer, true, 64, false, false);
        Issued write = device.nextIssued();
        assertEquals(AtaCommand.name(AtaCommand.WRITE_FPDMA_QUEUED), AtaCommand.name(write.opcode()));
        assertEquals(64, write.lba());
        assertEquals(8, write.count());
        device.complete(write.slot());
        assertEquals("ok", completion());
        assertEquals(1, io.commandsTaken(), "the command stays reserved after its transfer");
        assertEquals((byte) 77, transfer.data().get(77), "the buffer still holds what was written");

        io.executeReserved(transfer, io.flushTaskFile(), false);
        Issued flush = device.nextIssued();
        assertEquals(AtaCommand.name(AtaCommand.FLUSH_CACHE_EXT), AtaCommand.name(flush.opcode()));
        assertEquals(write.slot(), flush.slot(), "the same command, in its own slot");
        device.complete(flush.slot());
        assertEquals("ok", completion());
        io.release(transfer);
        assertEquals(0, io.commandsTaken());
        assertFalse(transfer.holdsCommand());
    }

    @Test
    void misuseIsAnErrorThatChangesNothing() throws Exception {
        assertThrows(IllegalStateException.class, () -> io.submitReserved(transfer, false, 0, false, false),
                "a transfer without a reserved command");
        assertThrows(IllegalArgumentException.class, () -> io.reserve(transfer, 100), "not a whole sector");
        assertThrows(IllegalArgumentException.class, () -> io.reserve(transfer, io.maxTransferBytes() + 512));
        io.reserve(transfer, 512);
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> io.reserve(transfer, 512));
        assertTrue(twice.getMessage().contains("release it first"), twice.getMessage());
        io.submitReserved(transfer, false, 8, false, false);
        Issued read = device.nextIssued();
        IllegalStateException inFlight = assertThrows(IllegalStateException.class, () -> io.release(transfer));
        assertTrue(inFlight.getMessage().contains("still in flight"), inFlight.getMessage());
        IllegalStateException again = assertThrows(IllegalStateException.class,
                () -> io.submitReserved(transfer, false, 8, false, false));
        assertTrue(again.getMessage().contains("before its completion ran"), again.getMessage());
        assertTrue(completions.isEmpty(), "no completion for refused calls");
        device.complete(read.slot());
        assertEquals("ok", completion());
        assertTrue(completions.isEmpty(), "one completion per transfer");
        io.release(transfer);
        assertEquals(0, io.commandsTaken());
    }
}
