package io.jahci.chip;

/**
 * A register access that the chip a {@link ChipProfile} presents would not accept: a slot at or above
 * CAP.NCS, an upper address register without CAP.S64A, a command before PxCMD.SUD on a staggered
 * spin-up HBA, an FPDMA command without CAP.SNCQ, and the like. The shim throws it instead of passing
 * the access on to QEMU, which would have accepted it, and keeps it in {@link ProfileTransport#violations()}.
 */
public final class ProfileViolation extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public ProfileViolation(String message) {
        super(message);
    }
}
