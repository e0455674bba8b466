package io.jahci.hw.uio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.jahci.hw.DeviceLostException;
import io.jahci.hw.InterruptSource;
import io.jahci.hw.PciFunction;
import io.jahci.platform.Errno;
import io.jahci.platform.LibC;
import io.jahci.platform.NativeException;

/**
 * INTx through uio_pci_generic: {@code /dev/uioN} polls readable when the interrupt fired, and a
 * 4-byte read returns the total interrupt count. The kernel handler masks the line by setting the
 * command register's INTx Disable bit (PCI 3.0 §6.2.2, bit 10), so {@link #rearm()} clears it again
 * through the config file after the ISR.
 */
final class UioInterruptSource implements InterruptSource {
    private final String device;
    private final int uioFd;
    private final int configFd;
    private final Memory count = new Memory(4);
    private final long countAddress = Pointer.nativeValue(count);
    private final Memory command = new Memory(2);
    private long lastCount = -1;
    private long missed;
    private volatile boolean closed;

    /** @param enabledCommand the command register value to write back (INTx Disable clear) */
    UioInterruptSource(String device, int uioFd, int configFd, int enabledCommand) {
        this.device = device;
        this.uioFd = uioFd;
        this.configFd = configFd;
        command.setShort(0, (short) (enabledCommand & ~PciFunction.COMMAND_INTX_DISABLE));
    }

    @Override
    public int fd() {
        return uioFd;
    }

    /**
     * Reads the interrupt count; returns how many interrupts happened since the last call (the first
     * call counts one: the count before it is unknown). More than one means interrupts were missed
     * while the line was masked; {@link #missedInterrupts()} sums them. 0 when nothing was pending.
     * Runs on the interrupt thread; allocates nothing.
     */
    @Override
    public long acknowledge() {
        try {
            long n = LibC.read(uioFd, countAddress, 4);
            if (n != 4) {
                throw new DeviceLostException(device + ": short read of the UIO interrupt count (" + n + " bytes)");
            }
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.EAGAIN) {
                return 0;
            }
            throw new DeviceLostException(device + ": reading the UIO interrupt count failed: "
                    + new NativeException("read", e.getErrorCode()).getMessage(), e);
        }
        long now = count.getInt(0) & 0xffff_ffffL;
        long delta = lastCount < 0 ? 1 : (now - lastCount) & 0xffff_ffffL;
        lastCount = now;
        if (delta > 1) {
            missed += delta - 1;
        }
        return delta;
    }

    /** Interrupts that arrived while the line was masked and were merged into one wakeup. */
    long missedInterrupts() {
        return missed;
    }

    /** Clears INTx Disable (command register bit 10), which uio_pci_generic set in its handler. */
    @Override
    public void rearm() {
        if (closed) {
            return;
        }
        try {
            LibC.pwrite(configFd, command, 2, PciFunction.COMMAND);
        } catch (LastErrorException e) {
            throw new DeviceLostException(device + ": re-enabling INTx through the config file failed: "
                    + new NativeException("pwrite", e.getErrorCode()).getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "INTx (uio_pci_generic, re-enabled after each interrupt)";
    }

    @Override
    public void close() {
        closed = true;
    }
}
