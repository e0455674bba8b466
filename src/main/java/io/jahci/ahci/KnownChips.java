package io.jahci.ahci;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * AHCI chips whose registers need correcting or whose behaviour needs care, keyed by PCI ID, with the
 * source of each fact: hardware knowledge as data, looked up once at bring-up. Source: the Linux ahci
 * driver's PCI table and board flags (drivers/ata/ahci.c {@code ahci_pci_tbl}, {@code ahci_port_info},
 * {@code ahci_pci_save_initial_config}), unless an entry says otherwise.
 */
public final class KnownChips {
    /** Any device ID of the vendor (matched with the AHCI class code). */
    private static final int ANY = -1;

    /**
     * One chip (or family).
     *
     * @param vendorId PCI vendor ID
     * @param deviceId PCI device ID, or -1 for any AHCI-class function of the vendor
     * @param name     what it is
     * @param quirks   what it needs
     * @param portMap  with {@link ChipQuirk#PORT_MAP}, the ports that really exist; else 0
     * @param source   where the facts come from
     */
    public record Chip(int vendorId, int deviceId, String name, Set<ChipQuirk> quirks, int portMap, String source) {
        public Chip {
            quirks = quirks.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(quirks)); // enum order
        }

        /** {@code caps} as the chip really is: quirks applied (NO_NCQ, DMA_32BIT, PORT_MAP). */
        public HbaCapabilities apply(HbaCapabilities caps) {
            int cap = caps.cap();
            if (quirks.contains(ChipQuirk.NO_NCQ)) {
                cap &= ~Cap.SNCQ.mask();
            }
            if (quirks.contains(ChipQuirk.DMA_32BIT)) {
                cap &= ~Cap.S64A.mask();
            }
            int pi = quirks.contains(ChipQuirk.PORT_MAP) ? caps.portsImplemented() & portMap : caps.portsImplemented();
            return new HbaCapabilities(cap, caps.cap2(), pi, caps.version());
        }

        /**
         * The one line identify, list and report print: {@code chip: JMicron JMB36x; quirks: ignore-if-error (not
         * applied: ...) [source]}.
         */
        public String describe() {
            StringBuilder s = new StringBuilder("chip: ").append(name);
            String separator = "; quirks: ";
            for (ChipQuirk q : quirks) {
                s.append(separator).append(q.describe());
                separator = ", ";
            }
            return s.append(" [").append(source).append(']').toString();
        }

        /**
         * The same for JSON: {@code {"name","quirks":[{"name","effect","means"}],"source"}}, fields in that order.
         */
        public Map<String, Object> toJson() {
            List<Map<String, Object>> list = new ArrayList<>();
            for (ChipQuirk q : quirks) {
                Map<String, Object> quirk = new LinkedHashMap<>();
                quirk.put("name", q.label());
                quirk.put("effect", q.effectName());
                quirk.put("means", q.consequence());
                list.add(quirk);
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("name", name);
            json.put("quirks", list);
            json.put("source", source);
            return json;
        }
    }

    private static final String LINUX = "Linux drivers/ata/ahci.c";

    private static final List<Chip> CHIPS = List.of(
        chip(0x1002, 0x4380, "ATI SB600", LINUX + ": board_ahci_sb600",
                ChipQuirk.IGNORE_SERR_INTERNAL, ChipQuirk.NO_MSI, ChipQuirk.SECTORS_255, ChipQuirk.DMA_32BIT),
        chip(0x1002, 0x4390, "ATI SB700/800", LINUX + ": board_ahci_sb700", ChipQuirk.IGNORE_SERR_INTERNAL),
        chip(0x1002, 0x4391, "ATI SB700/800", LINUX + ": board_ahci_sb700", ChipQuirk.IGNORE_SERR_INTERNAL),
        chip(0x1002, 0x4392, "ATI SB700/800", LINUX + ": board_ahci_sb700", ChipQuirk.IGNORE_SERR_INTERNAL),
        chip(0x1002, 0x4393, "ATI SB700/800", LINUX + ": board_ahci_sb700", ChipQuirk.IGNORE_SERR_INTERNAL),
        chip(0x1002, 0x4394, "ATI SB700/800", LINUX + ": board_ahci_sb700", ChipQuirk.IGNORE_SERR_INTERNAL),
        chip(0x1002, 0x4395, "ATI SB700/800", LINUX + ": board_ahci_sb700", ChipQuirk.IGNORE_SERR_INTERNAL),
        chip(0x1022, 0x7801, "AMD Hudson-2 FCH (AHCI mode)", LINUX + ": board_ahci_no_debounce_delay",
                ChipQuirk.NO_DEBOUNCE_DELAY),
        chip(0x1106, 0x3349, "VIA VT8251", LINUX + ": board_ahci_vt8251", ChipQuirk.NO_NCQ, ChipQuirk.NO_PMP),
        chip(0x1106, 0x6287, "VIA VT8251", LINUX + ": board_ahci_vt8251", ChipQuirk.NO_NCQ, ChipQuirk.NO_PMP),
        chip(0x1b4b, 0x6145, "Marvell 88SE6145", 0xf, LINUX + ": board_ahci_mv; port 4 is the PATA port "
                + "(ahci_pci_save_initial_config masks PI to 0xf)", ChipQuirk.NO_NCQ, ChipQuirk.NO_MSI,
                ChipQuirk.NO_PMP, ChipQuirk.PORT_MAP),
        chip(0x1b4b, 0x6121, "Marvell 88SE6121", 0x3, LINUX + ": board_ahci_mv; PI masked to 0x3",
                ChipQuirk.NO_NCQ, ChipQuirk.NO_MSI, ChipQuirk.NO_PMP, ChipQuirk.PORT_MAP),
        chip(0x1b4b, 0x9123, "Marvell 88SE9128", LINUX + ": board_ahci_yes_fbs", ChipQuirk.YES_FBS),
        chip(0x1b4b, 0x9125, "Marvell 88SE9125", LINUX + ": board_ahci_yes_fbs", ChipQuirk.YES_FBS),
        chip(0x1b4b, 0x9230, "Marvell 88SE9230", LINUX + ": board_ahci_yes_fbs", ChipQuirk.YES_FBS),
        chip(0x1b21, 0x0611, "ASMedia ASM1061", LINUX + " (from 6.8): board_ahci_43bit_dma", ChipQuirk.DMA_43BIT),
        chip(0x1b21, 0x0612, "ASMedia ASM1062", LINUX + " (from 6.8): board_ahci_43bit_dma", ChipQuirk.DMA_43BIT),
        chip(0x1b21, 0x1166, "ASMedia ASM1166", 0x3f, LINUX + ": 'ASM1166 has only six ports' (PI reads 32 ports)",
                ChipQuirk.PORT_MAP),
        chip(0x197b, 0x2361, "JMicron JMB361", 0x1, LINUX + ": board_ahci_ign_iferr; 'JMB361 has only one port'",
                ChipQuirk.IGNORE_IF_ERROR, ChipQuirk.PORT_MAP),
        chip(0x197b, ANY, "JMicron JMB36x", LINUX + ": JMicron functions of class 01:06:01, board_ahci_ign_iferr",
                ChipQuirk.IGNORE_IF_ERROR));

    private KnownChips() {}

    private static Chip chip(int vendor, int device, String name, String source, ChipQuirk... quirks) {
        return chip(vendor, device, name, 0, source, quirks);
    }

    private static Chip chip(int vendor, int device, String name, int portMap, String source, ChipQuirk... quirks) {
        return new Chip(vendor, device, name, quirks.length == 0 ? Set.of() : EnumSet.of(quirks[0], quirks), portMap,
                source);
    }

    /** The entry for the function {@code vendorId:deviceId}, or null when nothing is known about it. */
    public static Chip lookup(int vendorId, int deviceId) {
        for (Chip c : CHIPS) {
            if (c.vendorId() == vendorId && (c.deviceId() == deviceId || c.deviceId() == ANY)) {
                return c;
            }
        }
        return null;
    }

    /** Every entry, for docs and tests. */
    public static List<Chip> all() {
        return CHIPS;
    }
}
