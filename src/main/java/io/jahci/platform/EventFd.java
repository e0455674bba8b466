package io.jahci.platform;

import com.sun.jna.Native;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * A Linux eventfd: a 64-bit counter that a writer adds to and a reader drains.
 *
 * <p>{@link #signal()} and {@link #drain()} allocate nothing: each side owns a preallocated
 * 8-byte native buffer. {@link #signal()} may be called from any one thread at a time (the
 * stimulus or transport thread); {@link #drain()} from the one thread that waits on the fd.
 */
public final class EventFd implements AutoCloseable {
    private final int fd;
    private final Memory writeBuffer = new Memory(8);
    private final Memory readBuffer = new Memory(8);
    private final long writeAddress = Pointer.nativeValue(writeBuffer);
    private final long readAddress = Pointer.nativeValue(readBuffer);
    private volatile boolean closed;

    private EventFd(int fd) {
        this.fd = fd;
        writeBuffer.setLong(0, 1);
    }

    /** A blocking eventfd (reads wait until the counter is non-zero). */
    public static EventFd create() throws NativeException {
        return new EventFd(Linux.eventfd(0));
    }

    /** An eventfd whose reads return EAGAIN instead of blocking. */
    public static EventFd createNonBlocking() throws NativeException {
        return new EventFd(Linux.eventfd(Linux.EFD_NONBLOCK));
    }

    public int fd() {
        return fd;
    }

    /** Adds one to the counter, waking a waiter. Allocates nothing. */
    public synchronized void signal() throws NativeException {
        if (LibC.write(fd, writeAddress, 8) < 0) {
            throw new NativeException("write(eventfd " + fd + ")", Native.getLastError());
        }
    }

    /**
     * Reads and resets the counter. Blocks on a blocking eventfd; returns 0 on a non-blocking one
     * when nothing was signalled. Allocates nothing.
     */
    public long drain() throws NativeException {
        while (LibC.read(fd, readAddress, 8) < 0) {
            int errno = Native.getLastError();
            if (errno == Errno.EAGAIN) {
                return 0;
            }
            if (errno != Errno.EINTR) {
                throw new NativeException("read(eventfd " + fd + ")", errno);
            }
        }
        return readBuffer.getLong(0);
    }

    @Override
    public void close() throws NativeException {
        if (!closed) {
            closed = true;
            Linux.close(fd);
        }
    }
}
