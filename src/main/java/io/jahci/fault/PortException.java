package io.jahci.fault;

import java.io.IOException;

/**
 * A port could not do what was asked: no device, the link did not come up, a command timed out,
 * the controller stopped answering. The message names the device and port, what was attempted,
 * what to do, and ends with the port's register history.
 */
public class PortException extends IOException {
    private final Fault fault;

    public PortException(String message) {
        this(message, Fault.PORT_FAILED);
    }

    public PortException(String message, Throwable cause) {
        super(message, cause);
        this.fault = Fault.PORT_FAILED;
    }

    public PortException(String message, Fault fault) {
        super(message);
        this.fault = fault;
    }

    public PortException(String message, Throwable cause, Fault fault) {
        super(message, cause);
        this.fault = fault;
    }

    /** Which fault this was, e.g. {@code controller-lost} (docs/faults.md). */
    public Fault fault() {
        return fault;
    }
}
