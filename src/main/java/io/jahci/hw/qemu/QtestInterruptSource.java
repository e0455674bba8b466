package io.jahci.hw.qemu;

import io.jahci.hw.EventFdInterruptSource;
import io.jahci.platform.NativeException;

/**
 * The controller's INTx line as qtest reports it ({@code irq_intercept_in ioapic} turns the
 * IOAPIC input into {@code IRQ raise N}/{@code IRQ lower N} lines). A raise signals the eventfd.
 * The line is level-triggered and qtest only reports changes, so {@link #rearm()} signals again
 * when the line is still asserted after the ISR: the same contract as a real INTx unmask.
 */
final class QtestInterruptSource extends EventFdInterruptSource implements QtestConnection.IrqListener {
    private final int gsi;
    private volatile boolean asserted;

    QtestInterruptSource(int gsi) throws NativeException {
        super("INTx (GSI " + gsi + ", qtest)");
        this.gsi = gsi;
    }

    /** Runs on the qtest reader thread. */
    @Override
    public void irq(int line, boolean raised) {
        if (line != gsi) {
            return;
        }
        asserted = raised;
        if (raised) {
            signal();
        }
    }

    /**
     * QEMU's later IRQ lines are dropped once the connection is lost, so a raised line would never
     * be seen lowered: it counts as lowered, or {@link #rearm()} would fire for ever.
     */
    @Override
    public void connectionLost() {
        asserted = false;
    }

    /** Runs on the interrupt thread after the ISR. */
    @Override
    public void rearm() {
        if (asserted) {
            signal();
        }
    }
}
