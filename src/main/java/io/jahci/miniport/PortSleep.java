package io.jahci.miniport;

import io.jahci.ahci.PortRegister;
import io.jahci.ahci.PortTfd;
import io.jahci.fault.PortException;

/**
 * A port's device after SLEEP (ACS-3 §7.52): it answers only to a reset (§4.15.4), so the next
 * command of any kind first brings it back with a COMRESET (AHCI 1.3.1 §10.4.2) and says so in the
 * log. The caller's threads run it at PASSIVE, before taking a command, with no command of the port
 * in flight (the one that was, SLEEP, has completed).
 */
final class PortSleep {
    private static final System.Logger LOG = System.getLogger("io.jahci.miniport");

    private final String where;
    private final PortLink link;
    private final RegisterHistory history;
    /** SLEEP succeeded and no reset has followed. */
    private volatile boolean asleep;
    private volatile long wakeResets;

    PortSleep(String where, PortLink link, RegisterHistory history) {
        this.where = where;
        this.link = link;
        this.history = history;
    }

    /** SLEEP completed successfully. PASSIVE. */
    void fellAsleep() {
        asleep = true;
    }

    /** SLEEP succeeded and no reset has followed. Any level. */
    boolean asleep() {
        return asleep;
    }

    /** COMRESETs that brought the device back from SLEEP. Any level. */
    long wakeResets() {
        return wakeResets;
    }

    /** Before a command: wakes the device if it sleeps. One volatile read when it is awake. PASSIVE. */
    void wakeIfAsleep() throws PortException {
        if (asleep) {
            wake();
        }
    }

    /** COMRESET, wait for the device, restart the command engine; logs that it did. PASSIVE. */
    private synchronized void wake() throws PortException {
        if (!asleep) {
            return;
        }
        if (!(link.comreset() && link.waitForDeviceReady())) {
            throw new PortException(where + ": the device did not come back from SLEEP after a COMRESET (PxTFD "
                    + PortTfd.describe(link.read(PortRegister.TFD)) + "); restart the controller.\n" + history.dump());
        }
        link.startEngine();
        asleep = false;
        wakeResets++;
        LOG.log(System.Logger.Level.WARNING, where + ": the device was asleep (SLEEP); brought it back with a "
                + "COMRESET before the next command");
    }
}
