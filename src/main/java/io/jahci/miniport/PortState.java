package io.jahci.miniport;

/** Where an {@link AhciPort} is in its life; the transitions are drawn in {@link AhciPort}. */
public enum PortState {
    /** PxCMD.ST and FRE clear: the port processes nothing. */
    STOPPED,
    /** No device answered: PxSSTS.DET never reached 3, even after COMRESET. */
    NO_DEVICE,
    /** A device is present but it is not an ATA disk (ATAPI, port multiplier, enclosure). */
    UNSUPPORTED_DEVICE,
    /** ST set, device ready: commands are taken (up to the queue depth in flight). */
    READY,
    /** An error or timeout is being recovered from (AHCI 1.3.1 §6.2.2). */
    RECOVERING,
    /** Recovery did not bring the device back; only a new start can. */
    FAILED
}
