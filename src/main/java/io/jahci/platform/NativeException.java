package io.jahci.platform;

import java.io.IOException;

/** A failed system call: what was attempted, on what, and the errno with its name. */
public final class NativeException extends IOException {
    private final int errno;

    public NativeException(String what, int errno) {
        super(what + " failed: " + Errno.name(errno) + " (" + describe(errno) + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.name(errno);
    }

    private static String describe(int errno) {
        switch (errno) {
            case Errno.EPERM: return "operation not permitted";
            case Errno.ENOENT: return "no such file or directory";
            case Errno.EINTR: return "interrupted system call";
            case Errno.EIO: return "input/output error";
            case Errno.EBADF: return "bad file descriptor";
            case Errno.EAGAIN: return "resource temporarily unavailable";
            case Errno.ENOMEM: return "cannot allocate memory";
            case Errno.EACCES: return "permission denied";
            case Errno.EFAULT: return "bad address";
            case Errno.EBUSY: return "device or resource busy";
            case Errno.ENODEV: return "no such device";
            case Errno.EINVAL: return "invalid argument";
            case Errno.ENOSPC: return "no space left on device";
            case Errno.ENOTTY: return "inappropriate ioctl for device";
            case Errno.ENOSYS: return "function not implemented";
            default: return "see errno(3)";
        }
    }
}
