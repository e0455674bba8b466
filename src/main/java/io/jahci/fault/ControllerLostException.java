package io.jahci.fault;

import io.jahci.hw.DeviceLostException;

/**
 * A request failed, or was refused, because its controller is lost (the miniport's {@code ControllerLoss}): it
 * stopped answering, reads all ones, or its command engine would not stop. The message names the
 * controller, the port, the request and the fault, and ends with the port's register history; the
 * cause is the transport's {@link DeviceLostException} when there was one.
 */
public final class ControllerLostException extends PortException {
    public ControllerLostException(String message) {
        super(message, Fault.CONTROLLER_LOST);
    }
}
