package io.jahci.fault;

/** The port has no disk (now): it was never there, or it was removed while commands waited. */
public final class NoDeviceException extends PortException {
    public NoDeviceException(String message) {
        super(message, Fault.NO_DEVICE);
    }
}
