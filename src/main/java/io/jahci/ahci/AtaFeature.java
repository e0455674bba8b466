package io.jahci.ahci;

/**
 * Features an IDENTIFY DEVICE reports as supported and, separately, as enabled (ACS-3 §7.12.7,
 * words 76, 82-87, 169). A feature without an enable bit of its own (NCQ, TRIM, 48-bit addresses
 * are always on once supported) is enabled exactly when it is supported. The names are those
 * {@code hdparm -I} prints under "Commands/features".
 */
public enum AtaFeature {
    SMART("SMART feature set", 82, 0, 85, 0),
    SECURITY("Security Mode feature set", 82, 1, 85, 1),
    POWER_MANAGEMENT("Power Management feature set", 82, 3, 85, 3),
    WRITE_CACHE("Write cache", 82, 5, 85, 5),
    READ_LOOK_AHEAD("Look-ahead", 82, 6, 85, 6),
    HOST_PROTECTED_AREA("Host Protected Area feature set", 82, 10, 85, 10),
    WRITE_BUFFER("WRITE_BUFFER command", 82, 12, 85, 12),
    READ_BUFFER("READ_BUFFER command", 82, 13, 85, 13),
    NOP("NOP cmd", 82, 14, 85, 14),
    ADVANCED_POWER_MANAGEMENT("Advanced Power Management feature set", 83, 3, 86, 3),
    POWER_UP_IN_STANDBY("Power-Up In Standby feature set", 83, 5, 86, 5),
    LBA48("48-bit Address feature set", 83, 10, 86, 10),
    FLUSH_CACHE("Mandatory FLUSH_CACHE", 83, 12, 86, 12),
    FLUSH_CACHE_EXT("FLUSH_CACHE_EXT", 83, 13, 86, 13),
    SMART_ERROR_LOG("SMART error logging", 84, 0, 87, 0),
    SMART_SELF_TEST("SMART self-test", 84, 1, 87, 1),
    GENERAL_PURPOSE_LOGGING("General Purpose Logging feature set", 84, 5, 87, 5),
    FUA("WRITE_{DMA|MULTIPLE}_FUA_EXT", 84, 6, 87, 6),
    WORLD_WIDE_NAME("64-bit World wide name", 84, 8, 87, 8),
    NCQ("Native Command Queueing (NCQ)", 76, 8, -1, -1),
    TRIM("Data Set Management TRIM supported", 169, 0, -1, -1);

    /** Words 83, 84 and 87 hold data only when bits 15:14 are 01b. */
    private static final BitField VALIDITY = new BitField("VALIDITY", 14, 2);
    private static final int VALID = 0b01;

    private final String hdparmName;
    private final int supportedWord;
    private final BitField supported;
    private final int enabledWord;
    private final BitField enabled;

    AtaFeature(String hdparmName, int supportedWord, int supportedBit, int enabledWord, int enabledBit) {
        this.hdparmName = hdparmName;
        this.supportedWord = supportedWord;
        this.supported = new BitField(name() + "_SUPPORTED", supportedBit, 1);
        this.enabledWord = enabledWord;
        this.enabled = enabledWord < 0 ? null : new BitField(name() + "_ENABLED", enabledBit, 1);
    }

    /** The feature's name as {@code hdparm -I} prints it. */
    public String hdparmName() {
        return hdparmName;
    }

    /** Whether the device supports the feature. */
    public boolean supported(IdentifyData id) {
        return holds(id, supportedWord) && supported.isSet(id.word(supportedWord));
    }

    /** Whether the feature is on now: its enable bit, or support alone when it has no enable bit. */
    public boolean enabled(IdentifyData id) {
        if (enabled == null) {
            return supported(id);
        }
        return supported(id) && holds(id, enabledWord) && enabled.isSet(id.word(enabledWord));
    }

    /** Word 76 is neither 0000h nor FFFFh; words 83, 84, 87 carry 01b in bits 15:14; the others always hold. */
    private static boolean holds(IdentifyData id, int word) {
        int value = id.word(word);
        return switch (word) {
            case 76 -> value != 0 && value != 0xFFFF;
            case 83, 84, 87 -> VALIDITY.get(value) == VALID;
            default -> true;
        };
    }
}
