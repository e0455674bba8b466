package io.jahci.ahci;

/**
 * The per-port registers (AHCI 1.3.1 §3.3). Port {@code n}'s register block starts at ABAR offset
 * {@code 0x100 + n * 0x80} (§3).
 */
public enum PortRegister {
    /** Command List Base Address, low 32 bits, 1 KiB aligned (§3.3.1). */
    CLB(0x00),
    /** Command List Base Address, upper 32 bits (§3.3.2). */
    CLBU(0x04),
    /** FIS Base Address, low 32 bits, 256 byte aligned (§3.3.3). */
    FB(0x08),
    /** FIS Base Address, upper 32 bits (§3.3.4). */
    FBU(0x0C),
    /** Interrupt Status, see {@link PortIs} (§3.3.5). */
    IS(0x10),
    /** Interrupt Enable, same layout as {@link PortIs} (§3.3.6). */
    IE(0x14),
    /** Command and Status, see {@link PortCmd} (§3.3.7). */
    CMD(0x18),
    /** Task File Data, see {@link PortTfd} (§3.3.8). */
    TFD(0x20),
    /** Signature, see {@link DeviceSignature} (§3.3.9). */
    SIG(0x24),
    /** SATA Status (SStatus), see {@link PortSsts} (§3.3.10). */
    SSTS(0x28),
    /** SATA Control (SControl), see {@link PortSctl} (§3.3.11). */
    SCTL(0x2C),
    /** SATA Error (SError), see {@link PortSerr} (§3.3.12). */
    SERR(0x30),
    /** SATA Active (SActive): one bit per NCQ tag (§3.3.13). */
    SACT(0x34),
    /** Command Issue: one bit per command slot (§3.3.14). */
    CI(0x38),
    /** SATA Notification (SNotification) (§3.3.15). */
    SNTF(0x3C),
    /** FIS-based Switching Control (§3.3.16). */
    FBS(0x40);

    /** ABAR offset of port 0's register block (AHCI 1.3.1 §3). */
    public static final int PORT_BASE = 0x100;
    /** Size of one port's register block (AHCI 1.3.1 §3). */
    public static final int PORT_STRIDE = 0x80;
    /** Highest number of ports an HBA can have ({@link Cap#NP} is 5 bits wide). */
    public static final int MAX_PORTS = 32;

    private final int offset;

    PortRegister(int offset) {
        this.offset = offset;
    }

    /** Byte offset of this register of {@code port} from the start of ABAR. */
    public int offset(int port) {
        if (port < 0 || port >= MAX_PORTS) {
            throw new IllegalArgumentException("port " + port + " outside 0.." + (MAX_PORTS - 1));
        }
        return PORT_BASE + port * PORT_STRIDE + offset;
    }
}
