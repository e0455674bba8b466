package io.jahci.chip;

/**
 * What sits behind one implemented port of a {@link ChipProfile}, as the profile shim presents it on
 * top of QEMU's port. Disk images are attached only to {@link #CONNECTED} ports.
 */
public enum PortWiring {
    /** A port that works: QEMU's port as it is (a disk when an image is attached, else empty). */
    CONNECTED("connected"),
    /**
     * A device is present but the link never comes up: PxSSTS.DET stays 1 ("device presence detected
     * but Phy communication not established", AHCI 1.3.1 §3.3.10) whatever COMRESET does.
     */
    NO_LINK("nolink"),
    /** Implemented in PI but not wired to a connector: PxSSTS.DET stays 0 and no device ever arrives. */
    UNWIRED("unwired"),
    /**
     * The link comes up but the device never becomes ready: PxTFD.STS.BSY stays set and PxSIG stays
     * all ones (a disk that never finishes spinning up).
     */
    NEVER_READY("neverready");

    private final String option;

    PortWiring(String option) {
        this.option = option;
    }

    /** The spec option that gives a port this wiring, e.g. {@code nolink=0}. */
    public String option() {
        return option;
    }
}
