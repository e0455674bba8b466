package io.jahci.miniport;

import io.jahci.ahci.AtaCommand;
import io.jahci.ahci.AtaResult;
import io.jahci.ahci.AtaTaskFile;
import io.jahci.ahci.IdentifyData;
import io.jahci.ahci.PowerMode;
import io.jahci.fault.AtaCommandException;
import io.jahci.fault.CommandNotSupportedException;
import io.jahci.fault.PortException;
import io.jahci.testing.Images;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link PortIo#execute}: non-queued commands as task files, against QEMU's ide-hd (ACS-3 §7):
 * SMART bytes as captured, ABRT as "not supported" without COMRESET, SLEEP and the waking COMRESET.
 */
@Tag("qemu")
class ExecuteQemuTest {
    private static final int SMART = AtaCommand.SMART;
    private static final int SMART_READ_DATA = AtaCommand.SMART_READ_DATA;
    private static final int SMART_RETURN_STATUS = AtaCommand.SMART_RETURN_STATUS;
    /** SMART's signature in LBA mid/high (ACS-3 §7.48): 4Fh, C2h. */
    private static final long SMART_LBA = AtaCommand.SMART_LBA_SIGNATURE;
    private static final int CHECK_POWER_MODE = AtaCommand.CHECK_POWER_MODE;
    private static final int SET_FEATURES_WRITE_CACHE_OFF = AtaCommand.SF_DISABLE_WRITE_CACHE;
    private static final int SET_FEATURES_WRITE_CACHE_ON = AtaCommand.SF_ENABLE_WRITE_CACHE;

    @TempDir
    Path dir;

    private AhciHba hba;
    private AhciPort port;

    @BeforeEach
    void open() throws Exception {
        hba = QemuHba.open(Images.create(dir, "a.img", 8 << 20).toString(), AhciHba.Config.defaults());
        port = hba.ports().get(0);
    }

    @AfterEach
    void close() {
        QemuHba.close(hba);
    }

    private IdentifyData identify() throws PortException {
        ByteBuffer data = ByteBuffer.allocate(IdentifyData.SIZE);
        port.io().execute(AtaTaskFile.dataIn(AtaCommand.IDENTIFY_DEVICE, 0, 0, 0, 0, IdentifyData.SIZE), data);
        return IdentifyData.parse(data, 0);
    }

    @Test
    void smartReturnStatusAnswersInTheD2hFisLbaRegisters() throws Exception {
        AtaResult r = port.io().execute(AtaTaskFile.nonData(SMART, SMART_RETURN_STATUS, SMART_LBA, 0, 0), null);
        assertTrue(r.hasRegisters(), r.toString());
        assertEquals(0xC24F, (r.lba() >>> 8) & 0xFFFF, "LBA mid/high 4Fh/C2h: no threshold exceeded; " + r);
        assertEquals(0, r.status() & 0x01, "ERR clear: " + r);
        assertEquals(0x40, r.status() & 0x40, "DRDY: " + r);
    }

    @Test
    void checkPowerModeAnswersInTheCountRegister() throws Exception {
        AtaResult r = port.io().execute(AtaTaskFile.nonData(CHECK_POWER_MODE, 0, 0, 0, 0), null);
        assertEquals(0xFF, r.count() & 0xFF, "FFh: active or idle; " + r);
    }

    @Test
    void smartReadDataMovesAChecksummedPage() throws Exception {
        ByteBuffer page = ByteBuffer.allocate(512);
        port.io().execute(AtaTaskFile.dataIn(SMART, SMART_READ_DATA, SMART_LBA, 1, 0, 512), page);
        int sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += page.get(i);
        }
        assertEquals(0, sum & 0xFF, "the page's bytes sum to 0 (ACS-3 §7.48.6.1: checksum in byte 511)");
        assertNotEquals(0, page.get(0) | page.get(1), "a data structure revision number");
    }

    @Test
    void setFeaturesTurnsTheWriteCacheOffAndOnAsIdentifySays() throws Exception {
        assertTrue(identify().writeCacheEnabled());
        port.io().execute(AtaTaskFile.nonData(AtaCommand.SET_FEATURES, SET_FEATURES_WRITE_CACHE_OFF, 0, 0, 0), null);
        assertFalse(identify().writeCacheEnabled());
        port.io().execute(AtaTaskFile.nonData(AtaCommand.SET_FEATURES, SET_FEATURES_WRITE_CACHE_ON, 0, 0, 0), null);
        assertTrue(identify().writeCacheEnabled());
    }

    @Test
    void aCommandTheDeviceDoesNotKnowFailsWithAbrtAndThePortGoesOn() throws Exception {
        AtaCommandException e = assertThrows(CommandNotSupportedException.class,
                () -> port.io().execute(AtaTaskFile.nonData(0x5C, 0, 0, 0, 0), null));
        assertEquals(0x04, e.error() & 0x04, "ABRT: " + e.getMessage());
        assertTrue(e.getMessage().contains("0x5C (features 0000h, LBA 000000000000h, count 0000h) is not supported "
                + "by this device"), e.getMessage());
        assertEquals(PortState.READY, port.state());
        assertEquals(0xFF, port.io().execute(AtaTaskFile.nonData(CHECK_POWER_MODE, 0, 0, 0, 0), null).count() & 0xFF);
    }

    @Test
    void aNonQueuedCommandAmongQueuedWritesLeavesTheirDataIntact() throws Exception {
        byte[] data = Images.random(5, 4 << 20);
        CompletableFuture<Void> write = port.io().submit(true, 0, ByteBuffer.wrap(data));
        AtaResult r = port.io().execute(AtaTaskFile.nonData(CHECK_POWER_MODE, 0, 0, 0, 0), null);
        write.get();
        assertEquals(0xFF, r.count() & 0xFF);
        ByteBuffer back = ByteBuffer.allocate(data.length);
        port.io().transfer(false, 0, back);
        assertArrayEquals(data, back.array());
    }

    @Test
    void aBufferThatDoesNotMatchTheByteCountIsRefusedBeforeAnythingIsIssued() throws Exception {
        long issued = port.counters().commandsIssued();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> port.io().execute(AtaTaskFile.dataIn(SMART, SMART_READ_DATA, SMART_LBA, 1, 0, 512), ByteBuffer.allocate(100)));
        assertTrue(e.getMessage().contains("moves 512 bytes IN, but the buffer has 100 remaining"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AtaTaskFile.nonData(AtaCommand.READ_FPDMA_QUEUED, 0, 0, 0, 0));
        assertEquals(issued, port.counters().commandsIssued());
    }

    @Test
    void smartReadDataIsTheCapturedBlockByteForByte() throws Exception {
        for (String[] capture : new String[][] {{"D0", "qemu-smart-read-data.bin"}, {"D1", "qemu-smart-read-thresholds.bin"}}) {
            ByteBuffer data = ByteBuffer.allocate(512);
            port.io().execute(AtaTaskFile.dataIn(AtaCommand.SMART, Integer.parseInt(capture[0], 16), SMART_LBA, 0, 0, 512), data);
            try (InputStream in = getClass().getResourceAsStream("/io/jahci/ahci/" + capture[1])) {
                assertArrayEquals(in.readAllBytes(), data.array(), capture[1]);
            }
        }
    }

    @Test
    void aCommandTheDeviceAbortsIsNotSupportedAndNeverResetsThePort() throws Exception {
        long comresets = port.counters().comresets();
        // SET FEATURES 10h (enable a SATA feature) and SMART READ LOG of an unknown log: QEMU aborts both
        CommandNotSupportedException e = assertThrows(CommandNotSupportedException.class,
                () -> port.io().execute(AtaTaskFile.nonData(AtaCommand.SET_FEATURES, 0x10, 0, 0, 0), null));
        assertTrue(e.getMessage().contains("SET FEATURES (features 0010h") && e.getMessage().contains(
                "is not supported by this device"), e.getMessage());
        assertFalse(e.getMessage().contains("medium"), e.getMessage());
        assertThrows(CommandNotSupportedException.class, () -> port.io().execute(
                AtaTaskFile.dataIn(AtaCommand.SMART, AtaCommand.SMART_READ_LOG, SMART_LBA | 0x80, 1, 0, 512), ByteBuffer.allocate(512)));
        assertEquals(comresets, port.counters().comresets(), "no COMRESET:\n" + port.history());
        assertEquals(PortState.READY, port.state());
        ByteBuffer sector = ByteBuffer.allocate(512);
        port.io().transfer(false, 0, sector);
        assertEquals(PowerMode.ACTIVE_OR_IDLE, PowerMode.of(port.io().execute(AtaTaskFile.nonData(AtaCommand.CHECK_POWER_MODE, 0, 0, 0, 0), null).count()));
    }

    @Test
    void afterSleepTheNextCommandBringsTheDeviceBackWithComreset() throws Exception {
        long comresets = port.counters().comresets();
        port.io().execute(AtaTaskFile.nonData(AtaCommand.SLEEP, 0, 0, 0, 0), null);
        assertEquals(0, port.counters().wakeResets());
        assertEquals(comresets, port.counters().comresets(), "SLEEP itself resets nothing");
        AtaResult r = port.io().execute(AtaTaskFile.nonData(AtaCommand.CHECK_POWER_MODE, 0, 0, 0, 0), null);
        assertEquals(PowerMode.ACTIVE_OR_IDLE, PowerMode.of(r.count()));
        assertEquals(1, port.counters().wakeResets());
        assertEquals(comresets + 1, port.counters().comresets(), port.history());
        port.io().transfer(false, 0, ByteBuffer.allocate(4096));
        assertEquals(1, port.counters().wakeResets(), "once awake, no more resets");
    }
}
