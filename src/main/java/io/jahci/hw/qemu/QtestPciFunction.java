package io.jahci.hw.qemu;

import io.jahci.hw.PciFunction;

/**
 * Configuration space of a function on bus 0, reached through the PC's configuration mechanism #1
 * (ports 0xCF8 address / 0xCFC data, PCI Local Bus 3.0 §3.2.2.3.2) over qtest.
 */
final class QtestPciFunction implements PciFunction {
    private static final int CONFIG_ADDRESS = 0xcf8;
    private static final int CONFIG_DATA = 0xcfc;
    private static final int ENABLE = 0x8000_0000;

    private final QtestConnection qtest;
    private final int device;
    private final int function;

    QtestPciFunction(QtestConnection qtest, int device, int function) {
        this.qtest = qtest;
        this.device = device;
        this.function = function;
    }

    @Override
    public String address() {
        return String.format("0000:00:%02x.%d", device, function);
    }

    private void select(int offset) {
        qtest.outl(CONFIG_ADDRESS, ENABLE | device << 11 | function << 8 | (offset & 0xfc));
    }

    @Override
    public synchronized int readConfig32(int offset) {
        select(offset);
        return (int) qtest.inl(CONFIG_DATA);
    }

    @Override
    public synchronized int readConfig16(int offset) {
        select(offset);
        return (int) qtest.inw(CONFIG_DATA + (offset & 2));
    }

    @Override
    public synchronized int readConfig8(int offset) {
        select(offset);
        return (int) qtest.inb(CONFIG_DATA + (offset & 3));
    }

    @Override
    public synchronized void writeConfig32(int offset, int value) {
        select(offset);
        qtest.outl(CONFIG_DATA, value);
    }

    @Override
    public synchronized void writeConfig16(int offset, int value) {
        select(offset);
        qtest.outw(CONFIG_DATA + (offset & 2), value);
    }
}
