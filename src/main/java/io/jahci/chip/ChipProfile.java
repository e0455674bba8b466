package io.jahci.chip;

import io.jahci.ahci.Cap;
import io.jahci.ahci.HbaCapabilities;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A real AHCI controller's identity and behaviour, as {@link ProfileShim} presents it on top of QEMU's
 * {@code ich9-ahci}: what the PCI function says it is, what CAP, CAP2, PI and VS say it can do, and how
 * it behaves where QEMU's model differs from silicon (IS kept until written back, PI lost at an HBA
 * reset, ports that never link, disks that take seconds to spin up). The shim enforces the capabilities:
 * an access the chip would not accept throws {@link ProfileViolation}.
 *
 * <p>Port numbers are QEMU's: profile port N is QEMU's port N, so a profile implements at most QEMU's
 * six ports (PI within {@code 0x3f}); CAP.NP may say more, as on chips whose PI is sparse.
 *
 * @param name          the name in {@code qemu:IMG,...,profile=NAME}
 * @param chip          the product, for messages
 * @param vendorId      PCI vendor ID
 * @param deviceId      PCI device ID
 * @param revision      PCI revision ID
 * @param version       VS (AHCI 1.3.1 §3.1.5), e.g. {@code 0x00010301} for 1.3.1
 * @param cap           CAP (§3.1.1)
 * @param cap2          CAP2 (§3.1.10); read as an error before AHCI 1.2, where the register does not exist
 * @param portsImplemented PI (§3.1.4)
 * @param stickyIs      IS bits stay set until software writes them back (RWC, §3.1.3) and the level
 *                      interrupt stays asserted while any is set, as on silicon; false: QEMU's model,
 *                      which recomputes IS from the ports
 * @param resetClearsPi an HBA reset clears PI and the firmware-set CAP bits (SSS, SMPS), which software
 *                      saved before the reset and writes back (both are HwInit, written once by firmware)
 * @param spinUpMillis  how long a disk keeps PxTFD.STS.BSY after it powers up: after an HBA reset, after
 *                      PxCMD.SUD on a staggered spin-up chip, after each COMRESET
 * @param wiring        per port (index = port number), what is behind it; ports not in PI are ignored
 * @param source        where each fact comes from
 */
public record ChipProfile(String name, String chip, int vendorId, int deviceId, int revision, int version,
                          int cap, int cap2, int portsImplemented, boolean stickyIs, boolean resetClearsPi,
                          long spinUpMillis, List<PortWiring> wiring, String source) {
    /** QEMU's {@code ich9-ahci} has six ports. */
    public static final int QEMU_PORTS = 6;

    public ChipProfile {
        wiring = List.copyOf(wiring);
        if (wiring.size() != QEMU_PORTS) {
            throw new IllegalArgumentException(name + ": wiring needs one entry per QEMU port (" + QEMU_PORTS + ")");
        }
        if ((portsImplemented & ~((1 << QEMU_PORTS) - 1)) != 0 || portsImplemented == 0) {
            throw new IllegalArgumentException(name + ": PI " + Integer.toHexString(portsImplemented)
                    + " must name 1 to " + QEMU_PORTS + " of QEMU's ports (0x3f at most)");
        }
        if (Cap.ports(cap) < Integer.bitCount(portsImplemented)) {
            throw new IllegalArgumentException(name + ": CAP.NP says fewer ports than PI implements (§3.1.1)");
        }
        if (spinUpMillis < 0) {
            throw new IllegalArgumentException(name + ": spin-up time must not be negative");
        }
    }

    /** A profile with every port {@link PortWiring#CONNECTED} and no spin-up time. */
    static ChipProfile of(String name, String chip, int vendorId, int deviceId, int revision, int version,
                          int cap, int cap2, int portsImplemented, boolean stickyIs, boolean resetClearsPi,
                          String source) {
        PortWiring[] all = new PortWiring[QEMU_PORTS];
        Arrays.fill(all, PortWiring.CONNECTED);
        return new ChipProfile(name, chip, vendorId, deviceId, revision, version, cap, cap2, portsImplemented,
                stickyIs, resetClearsPi, 0, Arrays.asList(all), source);
    }

    public boolean isImplemented(int port) {
        return port >= 0 && port < 32 && (portsImplemented & (1 << port)) != 0;
    }

    /** What is behind implemented port {@code port}. */
    public PortWiring wiring(int port) {
        return wiring.get(port);
    }

    /** The same chip with {@code port} wired as {@code how}. */
    public ChipProfile withWiring(int port, PortWiring how) {
        if (!isImplemented(port)) {
            throw new IllegalArgumentException(how.option() + "=" + port + ": profile " + name
                    + " does not implement port " + port + " (PI=" + Integer.toHexString(portsImplemented) + ")");
        }
        List<PortWiring> changed = new ArrayList<>(wiring);
        changed.set(port, how);
        return new ChipProfile(name, chip, vendorId, deviceId, revision, version, cap, cap2, portsImplemented,
                stickyIs, resetClearsPi, spinUpMillis, changed, source);
    }

    /** The same chip with disks that keep BSY for {@code millis} after power-up. */
    public ChipProfile withSpinUpMillis(long millis) {
        return new ChipProfile(name, chip, vendorId, deviceId, revision, version, cap, cap2, portsImplemented,
                stickyIs, resetClearsPi, millis, wiring, source);
    }

    /** The ports disk images go on, in order: the implemented, {@link PortWiring#CONNECTED} ones. */
    public List<Integer> diskPorts() {
        List<Integer> ports = new ArrayList<>();
        for (int port = 0; port < QEMU_PORTS; port++) {
            if (isImplemented(port) && wiring(port) == PortWiring.CONNECTED) {
                ports.add(port);
            }
        }
        return ports;
    }

    /** Whether the chip has CAP2 and BOHC (AHCI 1.2 and later). */
    public boolean hasCap2() {
        return HbaCapabilities.hasCap2(version);
    }

    /** e.g. {@code asm1062 (ASMedia ASM1062, 1b21:0612): AHCI 1.2, 2 ports ...}. */
    public String describe() {
        StringBuilder s = new StringBuilder(String.format("%s (%s, %04x:%04x): %s", name, chip, vendorId, deviceId,
                new HbaCapabilities(cap, hasCap2() ? cap2 : 0, portsImplemented, version)));
        for (int port = 0; port < QEMU_PORTS; port++) {
            if (isImplemented(port) && wiring(port) != PortWiring.CONNECTED) {
                s.append(", port ").append(port).append(' ').append(wiring(port).option());
            }
        }
        if (spinUpMillis > 0) {
            s.append(", spin-up ").append(spinUpMillis).append(" ms");
        }
        return s.toString();
    }
}
