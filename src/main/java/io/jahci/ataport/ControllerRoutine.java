package io.jahci.ataport;

/**
 * {@code HW_CONTROLLER_SYNC_ROUTINE}: a miniport routine that {@link PortDriver#requestControllerSynchronizedRoutine}
 * runs at DIRQL with every interrupt lock of the controller held, passing it the device extension. For state
 * that the ISRs of several channels share (an HBA-wide register such as AHCI's IS, read by one port's ISR and
 * cleared bit by bit by the others). Pass the same instance each time to keep a hot path allocation-free.
 *
 * @param <D> the device extension type
 */
@FunctionalInterface
public interface ControllerRoutine<D> {
    void run(D deviceExtension);
}
