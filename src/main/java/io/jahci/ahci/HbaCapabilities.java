package io.jahci.ahci;

/**
 * What the HBA says it can do: CAP, CAP2, PI and VS decoded (AHCI 1.3.1 §3.1.1, §3.1.4, §3.1.5,
 * §3.1.10).
 */
public record HbaCapabilities(int cap, int cap2, int portsImplemented, int version) {
    public int commandSlots() {
        return Cap.NCS.get(cap) + 1;
    }

    public boolean isImplemented(int port) {
        return (portsImplemented & (1 << port)) != 0;
    }

    public boolean supports64BitAddresses() {
        return Cap.S64A.isSet(cap);
    }

    public boolean supportsNcq() {
        return Cap.SNCQ.isSet(cap);
    }

    public boolean supportsStaggeredSpinUp() {
        return Cap.SSS.isSet(cap);
    }

    /** AHCI 1.2: the first version with CAP2 and BOHC (§3.1.10, §3.1.11). */
    public static final int VERSION_1_2 = 0x0001_0200;

    /** e.g. {@code 1.0} or {@code 1.3.1} (VS: major in 31:16, minor in 15:0 as BCD). */
    public String versionString() {
        return versionString(version);
    }

    /** VS {@code version} as {@code 1.0} or {@code 1.3.1}. */
    public static String versionString(int version) {
        int major = version >>> 16;
        int minor = (version >>> 8) & 0xff;
        int sub = version & 0xff;
        return Integer.toHexString(major) + "." + Integer.toHexString(minor) + (sub != 0 ? "." + Integer.toHexString(sub) : "");
    }

    /** Whether an HBA of VS {@code version} has CAP2 and BOHC (AHCI 1.2 and later). */
    public static boolean hasCap2(int version) {
        return Integer.compareUnsigned(version, VERSION_1_2) >= 0;
    }

    @Override
    public String toString() {
        return String.format("AHCI %s, %d ports (PI=%08x), %d command slots, %s%s(CAP=%08x CAP2=%08x)",
                versionString(), Integer.bitCount(portsImplemented), portsImplemented, commandSlots(),
                supports64BitAddresses() ? "64-bit DMA, " : "32-bit DMA, ", supportsNcq() ? "NCQ " : "", cap, cap2);
    }
}
