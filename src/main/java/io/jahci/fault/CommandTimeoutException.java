package io.jahci.fault;

/** A command did not complete within its deadline; the port was reset (COMRESET) and recovered or failed. */
public final class CommandTimeoutException extends PortException {
    public CommandTimeoutException(String message) {
        super(message, Fault.COMMAND_TIMEOUT);
    }
}
