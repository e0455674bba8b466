package io.jahci.nbd;

/** A client broke the NBD protocol; the message names what it sent and what the protocol expects. */
public final class NbdProtocolException extends Exception {
    public NbdProtocolException(String message) {
        super(message);
    }
}
