package io.jahci.hw;

import com.sun.jna.Memory;
import io.jahci.platform.Linux;
import io.jahci.platform.NativeException;

import java.io.IOException;

/**
 * Configuration space through a file descriptor with pread/pwrite at {@code base + offset}: VFIO's
 * config region on the device fd, or sysfs' {@code config} file for UIO.
 *
 * <p>Thread safe (synchronized): one scratch buffer, allocated once.
 */
public final class FdPciFunction implements PciFunction {
    private final String address;
    private final int fd;
    private final long base;
    private final String what;
    private final Memory scratch = new Memory(4);

    public FdPciFunction(String address, int fd, long base, String what) {
        this.address = address;
        this.fd = fd;
        this.base = base;
        this.what = what;
    }

    @Override
    public String address() {
        return address;
    }

    private synchronized long read(int offset, int width) throws NativeException, IOException {
        long n = Linux.pread(fd, scratch, width, base + offset, what);
        if (n != width) {
            throw new IOException("short read of " + width + " bytes at config offset 0x" + Integer.toHexString(offset)
                    + " of " + address + " (" + what + "): got " + n);
        }
        switch (width) {
            case 1: return scratch.getByte(0) & 0xff;
            case 2: return scratch.getShort(0) & 0xffff;
            default: return scratch.getInt(0);
        }
    }

    private synchronized void write(int offset, int width, int value) throws IOException {
        if (width == 2) {
            scratch.setShort(0, (short) value);
        } else {
            scratch.setInt(0, value);
        }
        long n = Linux.pwrite(fd, scratch, width, base + offset, what);
        if (n != width) {
            throw new IOException("short write of " + width + " bytes at config offset 0x" + Integer.toHexString(offset)
                    + " of " + address + " (" + what + "): wrote " + n);
        }
    }

    @Override
    public int readConfig32(int offset) throws IOException {
        return (int) read(offset, 4);
    }

    @Override
    public int readConfig16(int offset) throws IOException {
        return (int) read(offset, 2);
    }

    @Override
    public int readConfig8(int offset) throws IOException {
        return (int) read(offset, 1);
    }

    @Override
    public void writeConfig32(int offset, int value) throws IOException {
        write(offset, 4, value);
    }

    @Override
    public void writeConfig16(int offset, int value) throws IOException {
        write(offset, 2, value);
    }
}
