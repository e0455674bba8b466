package io.jahci.platform;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * An epoll instance watching a few file descriptors for readability.
 *
 * <p>{@link #await(int)} allocates nothing: its event array is preallocated. One thread waits.
 */
public final class Epoll implements AutoCloseable {
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLLIN = 0x001;
    private static final int EPOLL_CLOEXEC = 0x80000;
    /** struct epoll_event is packed on x86_64 (12 bytes) and naturally aligned elsewhere (16). */
    private static final int EVENT_SIZE = isX86_64() ? 12 : 16;
    private static final int DATA_OFFSET = EVENT_SIZE == 12 ? 4 : 8;
    private static final int MAX_EVENTS = 8;

    private final int epfd;
    private final Memory events = new Memory((long) EVENT_SIZE * MAX_EVENTS);
    private final long eventsAddress = Pointer.nativeValue(events);
    private final Memory control = new Memory(16);
    private final long controlAddress = Pointer.nativeValue(control);

    public Epoll() throws NativeException {
        try {
            epfd = LibC.epoll_create1(EPOLL_CLOEXEC);
        } catch (LastErrorException e) {
            throw new NativeException("epoll_create1", e.getErrorCode());
        }
    }

    /**
     * Watches {@code fd} for readability; {@link #await} returns {@code fd} when it is readable
     * (also a thread already blocked in it, if {@code fd} is readable now). One caller at a time;
     * allocates nothing unless it fails.
     */
    public void addReadable(int fd) throws NativeException {
        control.clear();
        control.setInt(0, EPOLLIN);
        control.setLong(DATA_OFFSET, fd);
        try {
            LibC.epoll_ctl(epfd, EPOLL_CTL_ADD, fd, controlAddress);
        } catch (LastErrorException e) {
            throw new NativeException("epoll_ctl(ADD fd " + fd + ")", e.getErrorCode());
        }
    }

    /**
     * Stops watching {@code fd}: a thread blocked in {@link #await} on this instance is no longer
     * woken by it. Callable from another thread than the waiting one, one caller at a time;
     * allocates nothing unless it fails.
     */
    public void removeReadable(int fd) throws NativeException {
        try {
            LibC.epoll_ctl(epfd, EPOLL_CTL_DEL, fd, controlAddress);
        } catch (LastErrorException e) {
            throw new NativeException("epoll_ctl(DEL fd " + fd + ")", e.getErrorCode());
        }
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: forever) for one watched fd to become readable.
     * Returns that fd, or -1 on timeout or a signal. Allocates nothing.
     */
    public int await(int timeoutMillis) throws NativeException {
        int n = LibC.epoll_wait(epfd, eventsAddress, 1, timeoutMillis);
        if (n < 0) {
            int errno = Native.getLastError();
            if (errno == Errno.EINTR) {
                return -1;
            }
            throw new NativeException("epoll_wait", errno);
        }
        if (n == 0) {
            return -1;
        }
        return (int) events.getLong(DATA_OFFSET);
    }

    private static boolean isX86_64() {
        String arch = System.getProperty("os.arch");
        return "amd64".equals(arch) || "x86_64".equals(arch);
    }

    @Override
    public void close() throws NativeException {
        Linux.close(epfd);
    }
}
