package io.jahci.disk;

import io.jahci.miniport.PortState;

/**
 * How a port of an open {@link Controller} stands, as {@link Controller#ports()} reports it: the
 * API's view of the miniport's port state (its diagram and table are on {@code
 * io.jahci.miniport.PortState}), mapped in {@link #of} and nowhere else.
 */
public enum PortCondition {
    /** The port processes nothing (before bring-up, or after the controller was closed). */
    STOPPED,
    /** No device answered on the port (PxSSTS.DET never reached 3, even after COMRESET), or it was removed. */
    NO_DEVICE,
    /** A device answered but it is neither an ATA disk nor an ATAPI drive (port multiplier, enclosure). */
    UNSUPPORTED_DEVICE,
    /** A disk or CD/DVD drive is ready: {@link Controller#disk} or {@link Controller#cdDrive} takes requests. */
    READY,
    /** An error or timeout is being recovered from (AHCI 1.3.1 §6.2.2); requests wait until it ends. */
    RECOVERING,
    /** Recovery did not bring the device back, or the controller is lost; only opening it again can. */
    FAILED;

    /** The condition the miniport's {@code state} stands for. */
    static PortCondition of(PortState state) {
        return switch (state) {
            case STOPPED -> STOPPED;
            case NO_DEVICE -> NO_DEVICE;
            case UNSUPPORTED_DEVICE -> UNSUPPORTED_DEVICE;
            case READY -> READY;
            case RECOVERING -> RECOVERING;
            case FAILED -> FAILED;
        };
    }
}
