package io.jahci.hw.uio;

import io.jahci.hw.PciFunction;
import io.jahci.platform.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The UIO interrupt source over plain files standing in for /dev/uioN (successive 4-byte counts)
 * and sysfs config (the command register at offset 4).
 */
class UioInterruptSourceTest {
    @TempDir
    Path dir;

    @Test
    void countDeltasAboveOneAreMissedInterrupts() throws Exception {
        ByteBuffer counts = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        counts.putInt(41).putInt(42).putInt(45).putInt(46);
        Path uio = Files.write(dir.resolve("uio0"), counts.array());
        Path config = Files.write(dir.resolve("config"), new byte[64]);
        int uioFd = Linux.open(uio.toString(), Linux.O_RDWR);
        int configFd = Linux.open(config.toString(), Linux.O_RDWR);
        try {
            UioInterruptSource s = new UioInterruptSource("0000:00:05.0", uioFd, configFd, 0x0406);
            assertEquals(1, s.acknowledge(), "the first read only sets the baseline");
            assertEquals(1, s.acknowledge());
            assertEquals(3, s.acknowledge());
            assertEquals(2, s.missedInterrupts());
            assertEquals(1, s.acknowledge());
            assertEquals(2, s.missedInterrupts());
        } finally {
            Linux.close(uioFd);
            Linux.close(configFd);
        }
    }

    @Test
    void rearmClearsIntxDisableInTheCommandRegister() throws Exception {
        Path uio = Files.write(dir.resolve("uio0"), new byte[4]);
        Path config = Files.write(dir.resolve("config"), new byte[64]);
        int uioFd = Linux.open(uio.toString(), Linux.O_RDWR);
        int configFd = Linux.open(config.toString(), Linux.O_RDWR);
        try {
            int command = PciFunction.COMMAND_MEMORY_SPACE | PciFunction.COMMAND_BUS_MASTER
                    | PciFunction.COMMAND_INTX_DISABLE;
            UioInterruptSource s = new UioInterruptSource("0000:00:05.0", uioFd, configFd, command);
            s.rearm();
            byte[] bytes = Files.readAllBytes(config);
            int written = (bytes[4] & 0xff) | (bytes[5] & 0xff) << 8;
            assertEquals(PciFunction.COMMAND_MEMORY_SPACE | PciFunction.COMMAND_BUS_MASTER, written);
            assertEquals(0, bytes[3]);
            assertEquals(0, bytes[6]);
            s.close();
        } finally {
            Linux.close(uioFd);
            Linux.close(configFd);
        }
    }
}
