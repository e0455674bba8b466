package io.jahci.platform;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;

/**
 * Checked wrappers around {@link LibC}: each turns a failure into a {@link NativeException} naming
 * the call, its subject and the errno. Flag constants are the Linux x86_64/aarch64 values.
 */
public final class Linux {
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_CLOEXEC = 0x80000;

    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_POPULATE = 0x8000;
    public static final int MAP_HUGETLB = 0x40000;
    /** MADV_HUGEPAGE: back the range with transparent huge pages where possible. */
    public static final int MADV_HUGEPAGE = 14;

    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;

    private Linux() {}

    public static int open(String path, int flags) throws NativeException {
        try {
            return LibC.open(path, flags | O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new NativeException("open(" + path + ")", e.getErrorCode());
        }
    }

    public static void close(int fd) throws NativeException {
        try {
            LibC.close(fd);
        } catch (LastErrorException e) {
            throw new NativeException("close(fd " + fd + ")", e.getErrorCode());
        }
    }

    public static long pread(int fd, Pointer buf, long count, long offset, String what) throws NativeException {
        try {
            return LibC.pread(fd, buf, count, offset);
        } catch (LastErrorException e) {
            throw new NativeException("pread(" + what + ", offset 0x" + Long.toHexString(offset) + ")", e.getErrorCode());
        }
    }

    public static long pwrite(int fd, Pointer buf, long count, long offset, String what) throws NativeException {
        try {
            return LibC.pwrite(fd, buf, count, offset);
        } catch (LastErrorException e) {
            throw new NativeException("pwrite(" + what + ", offset 0x" + Long.toHexString(offset) + ")", e.getErrorCode());
        }
    }

    public static int ioctl(int fd, long request, Pointer arg, String what) throws NativeException {
        try {
            return LibC.ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            throw new NativeException("ioctl " + what, e.getErrorCode());
        }
    }

    public static int ioctl(int fd, long request, long arg, String what) throws NativeException {
        try {
            return LibC.ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            throw new NativeException("ioctl " + what, e.getErrorCode());
        }
    }

    /** Maps {@code length} bytes; returns the address. */
    public static long mmap(long length, int prot, int flags, int fd, long offset, String what) throws NativeException {
        try {
            return LibC.mmap(0, length, prot, flags, fd, offset);
        } catch (LastErrorException e) {
            throw new NativeException("mmap(" + what + ", " + length + " bytes)", e.getErrorCode());
        }
    }

    public static void munmap(long address, long length) throws NativeException {
        try {
            LibC.munmap(address, length);
        } catch (LastErrorException e) {
            throw new NativeException("munmap(0x" + Long.toHexString(address) + ")", e.getErrorCode());
        }
    }

    /** Pins pages in RAM; a failure names RLIMIT_MEMLOCK, the usual cause for a non-root user. */
    public static void mlock(long address, long length) throws NativeException {
        try {
            LibC.mlock(address, length);
        } catch (LastErrorException e) {
            throw new NativeException("mlock(" + length + " bytes; raise the limit with `ulimit -l` or run as root)",
                    e.getErrorCode());
        }
    }

    public static void munlock(long address, long length) throws NativeException {
        try {
            LibC.munlock(address, length);
        } catch (LastErrorException e) {
            throw new NativeException("munlock(0x" + Long.toHexString(address) + ")", e.getErrorCode());
        }
    }

    public static void madvise(long address, long length, int advice, String what) throws NativeException {
        try {
            LibC.madvise(address, length, advice);
        } catch (LastErrorException e) {
            throw new NativeException("madvise(" + what + ")", e.getErrorCode());
        }
    }

    public static int eventfd(int flags) throws NativeException {
        try {
            return LibC.eventfd(0, flags | EFD_CLOEXEC);
        } catch (LastErrorException e) {
            throw new NativeException("eventfd", e.getErrorCode());
        }
    }
}
