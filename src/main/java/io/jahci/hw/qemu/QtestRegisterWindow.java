package io.jahci.hw.qemu;

import io.jahci.hw.RegisterWindow;

/**
 * A BAR's registers reached with qtest {@code readl}/{@code writel}: each access is one exact-width
 * 32-bit MMIO access in the machine, ordered by the socket (a write's reply comes back only after
 * QEMU has executed it, so it also follows every earlier store to guest RAM).
 */
final class QtestRegisterWindow implements RegisterWindow {
    private final QtestConnection qtest;
    private final long base;
    private final long size;

    QtestRegisterWindow(QtestConnection qtest, long base, long size) {
        this.qtest = qtest;
        this.base = base;
        this.size = size;
    }

    @Override
    public int read32(int offset) {
        return (int) qtest.readl(base + offset);
    }

    @Override
    public void write32(int offset, int value) {
        qtest.writel(base + offset, value);
    }

    @Override
    public long size() {
        return size;
    }
}
