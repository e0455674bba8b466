package io.jahci.chip;

import io.jahci.ahci.BitField;
import io.jahci.ahci.Cap2;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import static io.jahci.ahci.Cap.*;

/**
 * The chips the QEMU transport can present ({@code qemu:IMG[,IMG...],profile=NAME}), each with the
 * source of its facts. Identities and quirk boards are those of the Linux ahci driver's PCI table
 * (drivers/ata/ahci.c, {@code ahci_pci_tbl}); capability bits are those the AHCI 1.3.1 registers of each
 * family report (CAP §3.1.1, PI §3.1.4, VS §3.1.5, CAP2 §3.1.10). What a profile cannot show is listed
 * in docs/profiles.md: multiple MSI vectors, port multipliers behind SPM, link power states.
 */
public final class ChipProfiles {
    private ChipProfiles() {}

    /** QEMU's own model, presented as it is (and still checked by the shim). */
    public static final ChipProfile ICH9 = ChipProfile.of("ich9", "Intel ICH9 as QEMU models it", 0x8086, 0x2922, 0x02,
            0x0001_0000, cap(6, 32, 1, S64A, SNCQ, SAM), 0, 0x3f, false, false,
            "QEMU hw/ide/ahci.c and hw/ide/ich.c (the model under every profile: CAP=c0141f05, AHCI 1.0, PI=3f); "
            + "Linux ahci.c: 8086:2922 'ICH9', board_ahci");

    /** A desktop Intel PCH in AHCI mode: AHCI 1.3.1, six ports, PI written by the firmware. */
    public static final ChipProfile INTEL_PCH = ChipProfile.of("intel-pch", "Intel 100 Series PCH (Sunrise Point-H) AHCI",
            0x8086, 0xa102, 0x31, 0x0001_0301,
            cap(6, 32, 3, S64A, SNCQ, SSNTF, SALP, SAL, SCLO, SAM, PMD, SSC, PSC, EMS), Cap2.APST.mask(), 0x3f, true, true,
            "Linux ahci.c: 8086:a102 'Sunrise Point-H AHCI', board_ahci; AHCI 1.3.1 with NCQ, 64-bit, SNTF, ALPM, "
            + "LED, CLO, AHCI-only, partial/slumber, enclosure management, APST; PI and CAP's HwInit bits are written "
            + "once by the firmware, and libahci (ahci_save_initial_config, ahci_restore_initial_config) saves them "
            + "before the HBA reset and writes them back: the profile clears them at reset to hold a driver to that");

    /** An AMD FCH with staggered spin-up enabled and a port multiplier capability. */
    public static final ChipProfile AMD_FCH = ChipProfile.of("amd-fch", "AMD Hudson-2 FCH (AHCI mode)",
            0x1022, 0x7801, 0x40, 0x0001_0300,
            cap(6, 32, 3, S64A, SNCQ, SSNTF, SMPS, SSS, SALP, SAL, SCLO, SPM, PMD, SSC, PSC), 0, 0x3f, true, false,
            "Linux ahci.c: 1022:7801 'AMD Hudson-2 (AHCI mode)', board_ahci_no_debounce_delay; AHCI 1.3 with NCQ, "
            + "64-bit, SNTF, mechanical presence switch, staggered spin-up (CAP.SSS: no port links before PxCMD.SUD, "
            + "AHCI 1.3.1 §10.10.1), ALPM, LED, CLO, port multiplier (command-based switching)");

    /** An ASMedia two-port add-in controller: AHCI 1.2, 43-bit DMA. */
    public static final ChipProfile ASM1062 = ChipProfile.of("asm1062", "ASMedia ASM1062", 0x1b21, 0x0612, 0x02,
            0x0001_0200, cap(2, 32, 3, S64A, SNCQ, SSNTF, SALP, SAL, SCLO, SPM, PMD, SSC, PSC), Cap2.APST.mask(), 0x03,
            true, false,
            "Linux ahci.c: 1b21:0612 'ASM1062', board_ahci, and the 43-bit DMA limit of the ASM106x family "
            + "(AHCI_HFLAG_43BIT_ONLY); AHCI 1.2, two ports, NCQ, 64-bit (within 43 bits), SNTF, ALPM, PMP, APST");

    /** A JMicron AHCI 1.0 controller that raises spurious interface-error interrupts. */
    public static final ChipProfile JMB363 = ChipProfile.of("jmb363", "JMicron JMB363", 0x197b, 0x2363, 0x03,
            0x0001_0000, cap(2, 32, 2, S64A, SNCQ, SALP, SAL, SCLO, SPM, PMD, SSC, PSC), 0, 0x03, true, false,
            "Linux ahci.c: JMicron functions of class 01:06:01 use board_ahci_ign_iferr (AHCI_HFLAG_IGN_IRQ_IF_ERR: "
            + "PxIS.IFS is not an error on these chips); AHCI 1.0 (no CAP2), two SATA ports, 3 Gb/s, NCQ, 64-bit");

    /** A Marvell 88SE91xx: CAP.NP says eight ports while PI implements two. */
    public static final ChipProfile MARVELL_9128 = ChipProfile.of("marvell-9128", "Marvell 88SE9128", 0x1b4b, 0x9123,
            0x11, 0x0001_0000, cap(8, 32, 3, S64A, SNCQ, SSNTF, SAL, SAM, SPM, FBSS, PMD, SSC, PSC, SXS), 0, 0x03, true,
            false,
            "Linux ahci.c: 1b4b:9123 '88se9128' (class 01:06:01), board_ahci_yes_fbs; AHCI 1.0, CAP.NP larger than "
            + "the ports PI implements (§3.1.1: NP may exceed PI's count), NCQ, 64-bit, FIS-based switching");

    /** The least an AHCI 1.0 HBA may be: one port, one slot, no NCQ, 32-bit DMA. */
    public static final ChipProfile AHCI10_MIN = ChipProfile.of("ahci10-min", "minimal AHCI 1.0 HBA (no product)",
            0x1b36, 0x00a1, 0x00, 0x0001_0000, cap(1, 1, 1, SAM), 0, 0x01, true, false,
            "synthetic: the smallest HBA AHCI 1.0 §3.1.1 allows (NP=0, NCS=0, no SNCQ, no S64A, no CLO); a device "
            + "ID of no product, so only the AHCI class code matches it");

    /** The keys a {@code qemu:} list may carry besides images. */
    public static final List<String> OPTIONS = List.of("profile", "spinup", "nolink", "unwired", "neverready");

    public static final List<ChipProfile> ALL = List.of(ICH9, INTEL_PCH, AMD_FCH, ASM1062, JMB363, MARVELL_9128,
            AHCI10_MIN);

    /** The profile called {@code name}, or an error listing the names. */
    public static ChipProfile named(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (ChipProfile p : ALL) {
            if (p.name().equals(wanted)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown controller profile '" + name + "': use one of " + names());
    }

    /** Whether {@code item} of a {@code qemu:} list is a profile option ({@code profile=NAME}, {@code spinup=S}, ...). */
    public static boolean isOption(String item) {
        int eq = item.indexOf('=');
        return eq > 0 && OPTIONS.contains(item.substring(0, eq));
    }

    /**
     * The chip that {@code options} describe: {@code profile=NAME}, then any of {@code spinup=SECONDS} (each
     * disk keeps BSY that long after power-up or COMRESET), {@code nolink=PORT}, {@code unwired=PORT},
     * {@code neverready=PORT} (see {@link PortWiring}); null when there are none.
     *
     * @throws IllegalArgumentException naming the option that is wrong and what it takes
     */
    public static ChipProfile fromOptions(List<String> options) {
        if (options.isEmpty()) {
            return null;
        }
        List<String> named = options.stream().filter(o -> o.startsWith("profile=")).toList();
        if (named.size() != 1) {
            throw new IllegalArgumentException((named.isEmpty() ? "'" + options.get(0) + "' needs" : "give only one")
                    + " profile=NAME (" + names() + ")");
        }
        ChipProfile profile = named(named.get(0).substring("profile=".length()));
        for (String option : options) {
            String key = option.substring(0, option.indexOf('='));
            String value = option.substring(key.length() + 1);
            if (key.equals("spinup")) {
                profile = profile.withSpinUpMillis(seconds(option, value));
            } else if (!key.equals("profile")) {
                profile = profile.withWiring(port(option, value), wiring(key));
            }
        }
        if (profile.diskPorts().isEmpty()) {
            throw new IllegalArgumentException(String.join(",", options) + " leaves no connected port for a disk");
        }
        return profile;
    }

    private static PortWiring wiring(String option) {
        for (PortWiring w : PortWiring.values()) {
            if (w.option().equals(option)) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown profile option " + option);
    }

    private static long seconds(String option, String value) {
        try {
            double s = Double.parseDouble(value);
            if (s >= 0 && s <= 60) {
                return Math.round(s * 1000);
            }
        } catch (NumberFormatException e) {
            // the message below says what is wanted
        }
        throw new IllegalArgumentException(option + ": spinup takes seconds from 0 to 60, e.g. spinup=5");
    }

    private static int port(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": give a port number, e.g. " + option.substring(0,
                    option.indexOf('=')) + "=0");
        }
    }

    /** The profile names, comma-separated. */
    public static String names() {
        return ALL.stream().map(ChipProfile::name).collect(Collectors.joining(", "));
    }

    /** CAP from the number of ports and slots, the interface speed (ISS) and the flags that are set. */
    private static int cap(int ports, int slots, int speed, BitField... flags) {
        int cap = NP.with(NCS.with(ISS.with(0, speed), slots - 1), ports - 1);
        for (BitField flag : flags) {
            cap |= flag.mask();
        }
        return cap;
    }
}
