package io.jahci.platform;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A unix-domain stream socket on raw libc calls (socket(7), unix(7)). Reads and writes go through
 * direct-mapped calls on native addresses, so a connection's traffic allocates nothing and never
 * touches the JDK's NIO code (whose recompilation churn allocates on the calling threads). Set-up
 * (listen, accept) may allocate.
 */
public final class UnixSocket implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SHUT_RDWR = 2;
    /** sizeof(struct sockaddr_un): sa_family_t (2 bytes) + sun_path[108]. */
    private static final int SOCKADDR_UN_SIZE = 110;

    private final int fd;
    private volatile boolean closed;

    private UnixSocket(int fd) {
        this.fd = fd;
    }

    /** A socket bound to {@code path} and listening. */
    public static UnixSocket listen(Path path) throws NativeException {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length >= SOCKADDR_UN_SIZE - 2) {
            throw new NativeException("bind(" + path + "): the path is longer than a unix socket allows", Errno.EINVAL);
        }
        int fd;
        try {
            fd = LibC.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new NativeException("socket(AF_UNIX)", e.getErrorCode());
        }
        Memory address = new Memory(SOCKADDR_UN_SIZE);
        address.clear();
        address.setShort(0, (short) AF_UNIX);
        address.write(2, name, 0, name.length);
        try {
            LibC.bind(fd, address, 2 + name.length + 1);
            LibC.listen(fd, 1);
        } catch (LastErrorException e) {
            Linux.close(fd);
            throw new NativeException("bind/listen(" + path + ")", e.getErrorCode());
        }
        return new UnixSocket(fd);
    }

    /** Waits up to {@code timeoutMillis} for a connection; returns it, or null on timeout. */
    public UnixSocket accept(int timeoutMillis) throws NativeException {
        try (Epoll epoll = new Epoll()) {
            epoll.addReadable(fd);
            if (epoll.await(timeoutMillis) != fd) {
                return null;
            }
        }
        try {
            return new UnixSocket(LibC.accept4(fd, null, null, SOCK_CLOEXEC));
        } catch (LastErrorException e) {
            throw new NativeException("accept4", e.getErrorCode());
        }
    }

    /**
     * Reads up to {@code length} bytes into native memory at {@code address}; returns how many,
     * 0 at end of stream. Retries on EINTR. Allocates nothing on success.
     */
    public int read(long address, int length) throws NativeException {
        while (true) {
            long n = LibC.read(fd, address, length);
            if (n >= 0) {
                return (int) n;
            }
            int errno = Native.getLastError();
            if (errno != Errno.EINTR) {
                throw new NativeException("read(unix socket)", errno);
            }
        }
    }

    /** Writes all {@code length} bytes at {@code address}. Allocates nothing on success. */
    public void writeFully(long address, int length) throws NativeException {
        int done = 0;
        while (done < length) {
            long n = LibC.write(fd, address + done, length - done);
            if (n < 0) {
                int errno = Native.getLastError();
                if (errno == Errno.EINTR) {
                    continue;
                }
                throw new NativeException("write(unix socket)", errno);
            }
            done += (int) n;
        }
    }

    /** Ends the connection in both directions, waking a reader blocked in {@link #read}. */
    @Override
    public synchronized void close() throws NativeException {
        if (!closed) {
            closed = true;
            try {
                LibC.shutdown(fd, SHUT_RDWR);
            } catch (LastErrorException ignored) {
                // a listening or already reset socket cannot be shut down; closing is enough
            }
            Linux.close(fd);
        }
    }
}
