package io.jahci.hw.qemu;

import io.jahci.hw.DeviceLostException;
import io.jahci.hw.InterruptSource;
import io.jahci.platform.EventFd;
import io.jahci.platform.NativeException;

/**
 * The controller's INTx line as qtest reports it ({@code irq_intercept_in ioapic} turns the
 * IOAPIC input into {@code IRQ raise N}/{@code IRQ lower N} lines). A raise signals the eventfd.
 * The line is level-triggered and qtest only reports changes, so {@link #rearm()} signals again
 * when the line is still asserted after the ISR: the same contract as a real INTx unmask.
 */
final class QtestInterruptSource implements InterruptSource, QtestConnection.IrqListener {
    private final int gsi;
    private final EventFd eventFd;
    private volatile boolean asserted;
    private volatile long raises;

    QtestInterruptSource(int gsi) throws NativeException {
        this.gsi = gsi;
        this.eventFd = EventFd.create();
    }

    /** Runs on the qtest reader thread. */
    @Override
    public void irq(int line, boolean raised) {
        if (line != gsi) {
            return;
        }
        asserted = raised;
        if (raised) {
            raises++;
            signal();
        }
    }

    private void signal() {
        try {
            eventFd.signal();
        } catch (NativeException e) {
            throw new DeviceLostException("cannot signal the interrupt eventfd", e);
        }
    }

    @Override
    public int fd() {
        return eventFd.fd();
    }

    /** Runs on the interrupt thread. */
    @Override
    public long acknowledge() {
        try {
            return eventFd.drain();
        } catch (NativeException e) {
            throw new DeviceLostException("cannot read the interrupt eventfd", e);
        }
    }

    /** Runs on the interrupt thread after the ISR. */
    @Override
    public void rearm() {
        if (asserted) {
            signal();
        }
    }

    /** How many times the line went from low to high. */
    long raises() {
        return raises;
    }

    @Override
    public String describe() {
        return "INTx (GSI " + gsi + ", qtest)";
    }

    @Override
    public void close() {
        try {
            eventFd.close();
        } catch (NativeException e) {
            throw new IllegalStateException(e);
        }
    }
}
