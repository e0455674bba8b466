package io.jahci.fault;

/**
 * Which fault failed a request, for messages and {@code --json} output ({@link PortException#fault()}).
 * docs/faults.md says what jahci does for each.
 */
public enum Fault {
    /** The device answered with an error status (PxIS.TFES: ATA ERR, e.g. UNC, IDNF, ABRT). */
    DEVICE_ERROR("device-error"),
    /** A command did not complete within its deadline; the port was reset. */
    COMMAND_TIMEOUT("command-timeout"),
    /** No disk on the port, or it was removed. */
    NO_DEVICE("no-device"),
    /** The controller stopped answering, reads all ones, or its command engine would not stop. */
    CONTROLLER_LOST("controller-lost"),
    /** The HBA moved fewer bytes than asked (PRDBC) although the device reported success. */
    SHORT_TRANSFER("short-transfer"),
    /** The port's interrupts kept firing with nothing to do; they are masked and the port given up. */
    INTERRUPT_STORM("interrupt-storm"),
    /** The operating system took the controller back (VFIO device request: unbind or removal). */
    RELEASED("released"),
    /** Anything else the port could not do (not started, failed bring-up, recovery failed). */
    PORT_FAILED("port-failed");

    private final String name;

    Fault(String name) {
        this.name = name;
    }

    /** The name in messages and JSON, e.g. {@code controller-lost}. */
    @Override
    public String toString() {
        return name;
    }
}
