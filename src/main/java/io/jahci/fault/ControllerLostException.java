package io.jahci.fault;

import io.jahci.hw.DeviceLostException;

/**
 * The one lost-device exception of jahci's Java API (io.jahci.disk): a request failed, or was refused,
 * or the controller could not be opened or read, because the controller is lost (the miniport's
 * {@code ControllerLoss}): it stopped answering (QEMU exited, the VFIO fd failed), reads all ones, or its
 * command engine would not stop. The message names the controller, the port, the request and the fault
 * ({@link Fault#CONTROLLER_LOST}), and for a request ends with the port's register history; the cause is
 * the transport's {@link DeviceLostException} when there was one.
 *
 * <p>Checked, as every other way a request fails ({@link PortException} is an {@link java.io.IOException}):
 * losing the device is what an I/O caller must expect and handle, and one {@code catch (PortException e)}
 * covers it. {@link DeviceLostException} stays inside jahci: it is the transport layer's unchecked signal,
 * thrown from register accesses on interrupt and completion paths that cannot declare a checked
 * exception; the API turns it into this one at its boundary ({@code Controller}).
 */
public final class ControllerLostException extends PortException {
    public ControllerLostException(String message) {
        super(message, Fault.CONTROLLER_LOST);
    }

    /** The API's form of the transport's {@code lost}: same message, the transport's exception as cause. */
    public ControllerLostException(DeviceLostException lost) {
        super(lost.getMessage(), lost, Fault.CONTROLLER_LOST);
    }
}
