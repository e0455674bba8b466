package io.jahci.miniport;

import io.jahci.ahci.AtaCommand;
import io.jahci.ahci.AtaResult;
import io.jahci.ahci.AtaTaskFile;
import io.jahci.ahci.PowerMode;
import io.jahci.ahci.SmartHealth;
import io.jahci.fault.CommandNotSupportedException;
import io.jahci.testing.Images;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The task-file path against QEMU's ide-hd: SMART bytes as captured, ABRT as "not supported" without COMRESET, SLEEP. */
@Tag("qemu")
class GenericCommandQemuTest {
    private static final long SMART = AtaCommand.SMART_LBA_SIGNATURE;

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

    @Test
    void smartReadDataIsTheCapturedBlockByteForByte() throws Exception {
        for (String[] capture : new String[][] {{"D0", "qemu-smart-read-data.bin"}, {"D1", "qemu-smart-read-thresholds.bin"}}) {
            ByteBuffer data = ByteBuffer.allocate(512);
            port.io().execute(AtaTaskFile.dataIn(AtaCommand.SMART, Integer.parseInt(capture[0], 16), SMART, 0, 0, 512), data);
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
                AtaTaskFile.dataIn(AtaCommand.SMART, AtaCommand.SMART_READ_LOG, SMART | 0x80, 1, 0, 512), ByteBuffer.allocate(512)));
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
