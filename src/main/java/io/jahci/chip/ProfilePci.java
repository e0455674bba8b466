package io.jahci.chip;

import io.jahci.hw.PciFunction;

import java.io.IOException;

/**
 * The chip's configuration space: its vendor, device, revision and class (PCI 3.0 §6.2.1) over QEMU's
 * function; every other register is QEMU's. Thread safe as the function under it.
 */
final class ProfilePci implements PciFunction {
    private final ChipProfile profile;
    private final PciFunction qemu;

    ProfilePci(ChipProfile profile, PciFunction qemu) {
        this.profile = profile;
        this.qemu = qemu;
    }

    /** The dword the chip shows at {@code dword} (a multiple of 4), or QEMU's. */
    private int dword(int dword) throws IOException {
        if (dword == VENDOR_ID) {
            return profile.vendorId() | profile.deviceId() << 16;
        }
        if (dword == CLASS_REVISION) {
            return AHCI_CLASS << 8 | profile.revision();
        }
        return qemu.readConfig32(dword);
    }

    private static boolean presented(int offset) {
        int dword = offset & ~3;
        return dword == VENDOR_ID || dword == CLASS_REVISION;
    }

    @Override
    public String address() {
        return qemu.address();
    }

    @Override
    public int readConfig32(int offset) throws IOException {
        return presented(offset) ? dword(offset) : qemu.readConfig32(offset);
    }

    @Override
    public int readConfig16(int offset) throws IOException {
        return presented(offset) ? dword(offset & ~3) >>> 8 * (offset & 2) & 0xffff : qemu.readConfig16(offset);
    }

    @Override
    public int readConfig8(int offset) throws IOException {
        return presented(offset) ? dword(offset & ~3) >>> 8 * (offset & 3) & 0xff : qemu.readConfig8(offset);
    }

    @Override
    public void writeConfig32(int offset, int value) throws IOException {
        qemu.writeConfig32(offset, value);
    }

    @Override
    public void writeConfig16(int offset, int value) throws IOException {
        qemu.writeConfig16(offset, value);
    }
}
