package io.jahci.chip;

import io.jahci.hw.EventFdInterruptSource;
import io.jahci.hw.InterruptSource;

import java.util.function.BooleanSupplier;

/**
 * The chip's interrupt line: QEMU's INTx, and also asserted while the shim keeps an IS bit that
 * software has not written back (a level-triggered line stays asserted while IS is non-zero, AHCI
 * 1.3.1 §3.1.3). After each ISR, {@link #rearm()} signals again while it is asserted, as a real INTx
 * unmask does. Runs on the interrupt thread; allocates nothing.
 */
final class LevelInterrupt implements InterruptSource {
    private final EventFdInterruptSource qemu;
    private final BooleanSupplier asserted;

    LevelInterrupt(EventFdInterruptSource qemu, BooleanSupplier asserted) {
        this.qemu = qemu;
        this.asserted = asserted;
    }

    @Override
    public int fd() {
        return qemu.fd();
    }

    @Override
    public long acknowledge() {
        return qemu.acknowledge();
    }

    @Override
    public void rearm() {
        qemu.rearm();
        if (asserted.getAsBoolean()) {
            qemu.signal();
        }
    }

    @Override
    public String describe() {
        return qemu.describe() + ", level-triggered on IS";
    }

    /** Nothing of its own to close: the QEMU transport closes the line under it. */
    @Override
    public void close() {
    }
}
