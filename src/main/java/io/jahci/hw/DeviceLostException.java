package io.jahci.hw;

/** The transport can no longer reach the device (QEMU exited, the VFIO fd failed, ...). */
public final class DeviceLostException extends RuntimeException {
    public DeviceLostException(String message, Throwable cause) {
        super(message, cause);
    }

    public DeviceLostException(String message) {
        super(message);
    }
}
