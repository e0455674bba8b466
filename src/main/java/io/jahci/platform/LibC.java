package io.jahci.platform;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * Direct-mapped JNA bindings to the few libc calls jahci needs (Linux, x86_64 and aarch64).
 *
 * <p>Direct mapping ({@link Native#register}) is used because several of these calls sit on hot
 * paths (eventfd reads and writes on the interrupt thread, epoll_wait): a direct call with
 * primitive arguments allocates nothing. Overloads that take a {@code long} address exist for
 * exactly that reason. Calls declare {@link LastErrorException} so that a failure carries errno;
 * callers normally go through {@link Linux}, which turns it into a {@link NativeException}. The
 * hot-path calls ({@code read}/{@code write} on a {@code long} address, {@code epoll_wait}) do
 * not: an exception would allocate on an expected EINTR or EAGAIN, so they return -1 and the
 * caller reads {@code Native.getLastError()}.
 */
public final class LibC {
    static {
        Native.register(LibC.class, "c");
    }

    private LibC() {}

    public static native int open(String path, int flags, int mode) throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;

    /** Hot path: returns -1 on failure, errno in {@code Native.getLastError()}. */
    public static native long read(int fd, long buf, long count);

    public static native long read(int fd, Pointer buf, long count) throws LastErrorException;

    /** Hot path: returns -1 on failure, errno in {@code Native.getLastError()}. */
    public static native long write(int fd, long buf, long count);

    public static native long write(int fd, Pointer buf, long count) throws LastErrorException;

    public static native long pread(int fd, Pointer buf, long count, long offset) throws LastErrorException;

    public static native long pwrite(int fd, Pointer buf, long count, long offset) throws LastErrorException;

    public static native int ioctl(int fd, long request, Pointer arg) throws LastErrorException;

    public static native int ioctl(int fd, long request, long arg) throws LastErrorException;

    public static native long mmap(long addr, long length, int prot, int flags, int fd, long offset)
            throws LastErrorException;

    public static native int munmap(long addr, long length) throws LastErrorException;

    public static native int mlock(long addr, long length) throws LastErrorException;

    public static native int munlock(long addr, long length) throws LastErrorException;

    public static native int madvise(long addr, long length, int advice) throws LastErrorException;

    public static native int eventfd(int initval, int flags) throws LastErrorException;

    public static native int epoll_create1(int flags) throws LastErrorException;

    public static native int epoll_ctl(int epfd, int op, int fd, long event) throws LastErrorException;

    /** Hot path: returns -1 on failure, errno in {@code Native.getLastError()}. */
    public static native int epoll_wait(int epfd, long events, int maxevents, int timeout);

    public static native int getpid();

    /** {@code sysconf(3)}: e.g. {@code _SC_CLK_TCK} (2), the unit of /proc/stat's CPU times. */
    public static native long sysconf(int name);

    public static native int socket(int domain, int type, int protocol) throws LastErrorException;

    public static native int bind(int fd, Pointer address, int length) throws LastErrorException;

    public static native int listen(int fd, int backlog) throws LastErrorException;

    public static native int accept4(int fd, Pointer address, Pointer length, int flags) throws LastErrorException;

    public static native int shutdown(int fd, int how) throws LastErrorException;
}
