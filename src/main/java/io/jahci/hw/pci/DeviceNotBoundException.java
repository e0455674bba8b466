package io.jahci.hw.pci;

import io.jahci.hw.RefusedException;

/** The controller is not bound to the driver a transport needs; the message says which command binds it. */
public final class DeviceNotBoundException extends RefusedException {
    public DeviceNotBoundException(String message) {
        super(message);
    }

    /** The standard message: who owns {@code address} now, and the bind command to run. */
    public static DeviceNotBoundException of(String address, String currentDriver, String wanted, String bindFlag) {
        String owner = currentDriver == null ? "no driver"
                : currentDriver.equals("ahci") ? "the kernel's ahci driver" : "the " + currentDriver + " driver";
        return new DeviceNotBoundException(address + " is owned by " + owner + ", not " + wanted
                + ": run `jahci bind " + bindFlag + " " + address + "` first (it refuses while a disk on the controller"
                + " is mounted or in use)");
    }
}
