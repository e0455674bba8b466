package io.jahci.disk;

import io.jahci.ahci.SenseData;
import io.jahci.fault.PortException;

/** An ATAPI command ended in CHECK CONDITION; REQUEST SENSE said why. */
public final class CheckConditionException extends PortException {
    private final SenseData sense;

    CheckConditionException(String message, SenseData sense) {
        super(message);
        this.sense = sense;
    }

    /** The sense data REQUEST SENSE returned. */
    public SenseData sense() {
        return sense;
    }
}
