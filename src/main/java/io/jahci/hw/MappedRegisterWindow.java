package io.jahci.hw;

import com.sun.jna.Pointer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A memory BAR mapped into this process (VFIO region mmap or sysfs {@code resourceN}), accessed
 * through a {@link VarHandle} view of a direct ByteBuffer over the mapping.
 *
 * <p>Why a VarHandle and not JNA's {@code Pointer.getInt}: an aligned {@code int} access mode is
 * atomic, so the JIT and the interpreter both emit one 32-bit load or store (MMIO registers must
 * not be split or merged), and {@code getVolatile}/{@code setVolatile} add the ordering
 * {@link RegisterWindow} promises: every earlier store to DMA memory is visible before a doorbell
 * write. It also costs no JNI transition and allocates nothing. JNA's accessors copy with memcpy
 * in native code, whose access width the C compiler chooses.
 */
public final class MappedRegisterWindow implements RegisterWindow {
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final ByteBuffer window;
    private final long size;

    /** A window over {@code size} bytes mapped at {@code address}; the caller keeps the mapping alive. */
    public MappedRegisterWindow(long address, long size) {
        this.window = new Pointer(address).getByteBuffer(0, size);
        this.size = size;
    }

    /** A window over {@code buffer} (a test can pass a heap buffer). */
    public MappedRegisterWindow(ByteBuffer buffer) {
        this.window = buffer;
        this.size = buffer.capacity();
    }

    @Override
    public int read32(int offset) {
        check(offset);
        return (int) INT.getVolatile(window, offset);
    }

    @Override
    public void write32(int offset, int value) {
        check(offset);
        INT.setVolatile(window, offset, value);
    }

    private void check(int offset) {
        if ((offset & 3) != 0 || offset < 0 || offset > size - 4) {
            throw new IllegalArgumentException("register offset 0x" + Integer.toHexString(offset)
                    + " is not an aligned 32-bit register inside the " + size + "-byte window");
        }
    }

    @Override
    public long size() {
        return size;
    }
}
