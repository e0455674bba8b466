package io.jahci.ahci;

/**
 * Something a particular AHCI chip needs that its registers do not say, and what jahci does about it.
 * The chips that need each one are in {@link KnownChips}, with the source of each fact.
 */
public enum ChipQuirk {
    /** CAP.SNCQ is set but queued commands fail: jahci clears SNCQ and runs one command at a time. */
    NO_NCQ("no-ncq", Effect.APPLIED, "CAP.SNCQ ignored: one non-queued command at a time"),
    /** CAP.S64A is set but the chip truncates bus addresses to 32 bits: jahci clears S64A. */
    DMA_32BIT("dma-32bit", Effect.APPLIED, "CAP.S64A ignored: DMA memory below 4 GiB"),
    /** The chip decodes only 43 address bits: DMA memory must lie below 8 TiB. */
    DMA_43BIT("dma-43bit", Effect.NOT_APPLIED, "DMA memory must lie below 2^43: it does on VFIO and QEMU (below 4 GiB); UIO does not check"),
    /** PI names ports that do not exist: jahci masks PI with the chip's real port map. */
    PORT_MAP("port-map", Effect.APPLIED, "PI masked to the chip's real ports"),
    /** PxIS.IFS fires without a real interface error. */
    IGNORE_IF_ERROR("ignore-if-error", Effect.NOT_APPLIED, "PxIS.IFS should not count as an error; jahci still recovers from it"),
    /** PxSERR.E (internal error) is set without an error. */
    IGNORE_SERR_INTERNAL("ignore-serr-internal", Effect.NOT_APPLIED, "PxSERR.E should not count as an error; jahci does not read SERR for errors"),
    /** MSI does not work: use INTx. */
    NO_MSI("no-msi", Effect.NOT_APPLIED, "use --irq intx with VFIO"),
    /** At most 255 sectors per command. */
    SECTORS_255("sect255", Effect.NOT_APPLIED, "commands should move at most 255 sectors"),
    /** Port multipliers misbehave. jahci does not drive port multipliers at all. */
    NO_PMP("no-pmp", Effect.NOT_NEEDED, "jahci drives no port multiplier"),
    /** FIS-based switching works although CAP.FBSS may say otherwise. jahci uses no FBS. */
    YES_FBS("yes-fbs", Effect.NOT_NEEDED, "jahci uses no FIS-based switching"),
    /** The link needs no debounce delay after COMRESET. jahci has none. */
    NO_DEBOUNCE_DELAY("no-debounce-delay", Effect.NOT_NEEDED, "jahci has no debounce delay");

    /** What jahci does about a quirk. */
    public enum Effect {
        /** Applied at bring-up. */
        APPLIED,
        /** Named so that a user knows; jahci does not act on it yet. */
        NOT_APPLIED,
        /** The quirk guards a feature jahci does not use. */
        NOT_NEEDED
    }

    private final String label;
    private final Effect effect;
    private final String consequence;

    ChipQuirk(String label, Effect effect, String consequence) {
        this.label = label;
        this.effect = effect;
        this.consequence = consequence;
    }

    /** The quirk's name in identify, list and JSON, e.g. {@code no-ncq}. */
    public String label() {
        return label;
    }

    public Effect effect() {
        return effect;
    }

    /** What it means for jahci, in a few words. */
    public String consequence() {
        return consequence;
    }

    /** The effect as identify, list, report and their JSON name it: {@code applied}, {@code not applied}, {@code not needed}. */
    public String effectName() {
        return effect.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    /** e.g. {@code ignore-if-error (not applied: PxIS.IFS should not count as an error; ...)}. */
    public String describe() {
        return label + " (" + effectName() + ": " + consequence + ")";
    }
}
