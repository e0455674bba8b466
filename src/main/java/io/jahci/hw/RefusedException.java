package io.jahci.hw;

/**
 * jahci refused an operation before touching the device, because of the state the user left things in (a
 * controller bound to another driver, a disk in use, a controller opened read-only); the message says what to do
 * first. The CLI reports it as a usage error (exit 2); every other {@link IllegalStateException} is a runtime or
 * device failure (exit 1).
 */
public class RefusedException extends IllegalStateException {
    public RefusedException(String message) {
        super(message);
    }
}
