package io.jahci.ahci;

import java.util.List;
import java.util.StringJoiner;

/**
 * IDENTIFY DEVICE data as text, in hdparm's words: {@link #summary} is laid out like
 * {@code hdparm -I} (the fields it shares with it carry the same labels and values), and
 * {@link #hdparmRaw} is exactly the format of {@code hdparm --Istdout}, which {@code hdparm --Istdin}
 * reads back. Pure functions.
 */
public final class IdentifyReport {
    private static final int WORDS_PER_LINE = 8;
    private static final long MIB = 1024L * 1024;
    private static final long MB = 1000L * 1000;
    private static final long GB = 1000L * MB;

    private IdentifyReport() {
    }

    /**
     * The 256 words as {@code hdparm --Istdout} prints them: 32 lines of 8 words, each word four
     * lower-case hex digits, separated by one space, every line ending in a newline.
     */
    public static String hdparmRaw(IdentifyData id) {
        StringBuilder out = new StringBuilder(IdentifyData.WORDS * 5);
        for (int i = 0; i < IdentifyData.WORDS; i++) {
            out.append(String.format("%04x", id.word(i)));
            out.append(i % WORDS_PER_LINE == WORDS_PER_LINE - 1 ? '\n' : ' ');
        }
        return out.toString();
    }

    /**
     * An {@code hdparm -I}-like summary: identity, standards, capacity in both units, sector sizes,
     * queue depth, and every supported feature of {@link AtaFeature} with {@code *} when enabled.
     */
    public static String summary(IdentifyData id) {
        StringBuilder out = new StringBuilder();
        out.append("ATA device\n");
        out.append(String.format("\tModel Number:       %s%n", id.model()));
        out.append(String.format("\tSerial Number:      %s%n", id.serial()));
        out.append(String.format("\tFirmware Revision:  %s%n", id.firmware()));
        out.append("Standards:\n");
        out.append("\tSupported: ").append(versions(id.majorVersions())).append('\n');
        out.append("Configuration:\n");
        out.append(String.format("\tLBA    user addressable sectors: %11d%n", id.lba28Sectors()));
        if (id.lba48()) {
            out.append(String.format("\tLBA48  user addressable sectors: %11d%n", id.lba48Sectors()));
        }
        out.append(String.format("\tLogical  Sector size: %21d bytes%n", id.logicalSectorSize()));
        out.append(String.format("\tPhysical Sector size: %21d bytes%n", id.physicalSectorSize()));
        long bytes = id.capacityBytes();
        out.append(String.format("\tdevice size with M = 1024*1024: %11d MBytes%n", bytes / MIB));
        out.append(String.format("\tdevice size with M = 1000*1000: %11d MBytes (%d GB)%n", bytes / MB, bytes / GB));
        out.append("Capabilities:\n");
        out.append(id.ncq() ? String.format("\tQueue depth: %d%n", id.ncqDepth()) : "\tQueue depth: 1 (no NCQ)\n");
        out.append("Commands/features:\n");
        out.append("\tEnabled\tSupported:\n");
        for (AtaFeature feature : AtaFeature.values()) {
            if (feature.supported(id)) {
                out.append(feature.enabled(id) ? "\t   *\t" : "\t    \t").append(feature.hdparmName()).append('\n');
            }
        }
        return out.toString();
    }

    private static String versions(List<Integer> versions) {
        if (versions.isEmpty()) {
            return "(not reported)";
        }
        StringJoiner joined = new StringJoiner(" ");
        for (int v : versions) {
            joined.add(Integer.toString(v));
        }
        return joined.toString();
    }
}
