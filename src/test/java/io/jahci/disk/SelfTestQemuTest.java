package io.jahci.disk;

import io.jahci.ahci.PowerMode;
import io.jahci.ahci.SelfTestLog;
import io.jahci.ahci.SmartErrorLog;
import io.jahci.fault.CommandNotSupportedException;
import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SMART self-tests, the logs and the power mode found without waking, against QEMU's model
 * (docs/device.md): EXECUTE OFF-LINE IMMEDIATE with a short or extended test completes at once and
 * logs the test as completed without error at 4660 power-on hours; abort (7Fh) is aborted; the error
 * log is empty with a count of 0.
 */
@Tag("qemu")
class SelfTestQemuTest {
    @TempDir
    Path dir;

    @Test
    void selfTestsAreLoggedMostRecentFirstAndAbortIsRefusedByQemu() throws Exception {
        try (Controller c = Controller.open(DeviceSpec.parse("qemu:" + Images.create(dir, "s.img", 16 << 20)),
                OpenOptions.readOnly())) {
            Disk disk = c.disk(0);
            assertEquals(List.of(), disk.selfTestLog(), "a fresh QEMU disk has logged no self-test");

            disk.startSelfTest(SelfTest.SHORT);
            disk.startSelfTest(SelfTest.LONG);
            List<SelfTestLog.Entry> log = disk.selfTestLog();
            assertEquals(2, log.size(), log.toString());
            assertEquals("Extended offline", log.get(0).testName());
            assertEquals("Short offline", log.get(1).testName());
            for (SelfTestLog.Entry e : log) {
                assertEquals("Completed without error", e.statusText());
                assertEquals(0, e.remainingPercent());
                assertEquals(0x1234, e.lifetimeHours(), "QEMU stamps every test with 4660 hours");
                assertEquals(-1, e.failingLba());
            }
            assertEquals(log, disk.smart(false).selfTests(), "the report reads the same log");
            assertEquals("Completed without error", disk.smart(false).data().selfTestStatusText());

            CommandNotSupportedException abort = assertThrows(CommandNotSupportedException.class,
                    () -> disk.startSelfTest(SelfTest.ABORT));
            assertTrue(abort.getMessage().contains("SMART"), abort.getMessage());
            assertEquals(2, disk.selfTestLog().size(), "the refused abort logged nothing");

            SmartErrorLog errors = disk.errorLog();
            assertEquals(0, errors.errorCount());
            assertEquals(List.of(), errors.errors());
        }
    }

    @Test
    void thePowerModeOfASleepingDiskIsFoundWithoutWakingIt() throws Exception {
        try (Controller c = Controller.open(DeviceSpec.parse("qemu:" + Images.create(dir, "p.img", 16 << 20)),
                OpenOptions.readOnly())) {
            Disk disk = c.disk(0);
            assertEquals(Optional.of(PowerMode.ACTIVE_OR_IDLE), disk.powerModeWithoutWaking());
            disk.standbyImmediate();
            assertEquals(Optional.of(PowerMode.ACTIVE_OR_IDLE), disk.powerModeWithoutWaking(),
                    "QEMU answers CHECK POWER MODE with FFh whatever came before");
            disk.sleep();
            assertEquals(Optional.empty(), disk.powerModeWithoutWaking(), "asleep: no command sent");
            assertEquals(Optional.empty(), disk.powerModeWithoutWaking(), "still asleep: the first call woke nothing");
            assertEquals(PowerMode.ACTIVE_OR_IDLE, disk.checkPowerMode(), "any command wakes it (COMRESET)");
            assertEquals(Optional.of(PowerMode.ACTIVE_OR_IDLE), disk.powerModeWithoutWaking());
        }
    }
}
