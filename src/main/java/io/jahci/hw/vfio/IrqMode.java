package io.jahci.hw.vfio;

/** Which interrupt the VFIO transport asks for ({@code --irq}). */
public enum IrqMode {
    /** MSI when the device offers it, INTx otherwise. */
    AUTO,
    /** AHCI's single MSI vector (VFIO IRQ index 1). */
    MSI,
    /** The level-triggered INTx line (VFIO IRQ index 0), unmasked after each interrupt. */
    INTX;

    /** Parses {@code msi}, {@code intx} or {@code auto} (any case). */
    public static IrqMode parse(String text) {
        for (IrqMode m : values()) {
            if (m.name().equalsIgnoreCase(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown interrupt mode '" + text + "': use msi, intx or auto");
    }
}
