package io.jahci.miniport;

/**
 * What a port has counted since it was made, for tests, benchmarks and diagnostics. A view: each
 * method reads a volatile counter kept by the part of the port that owns it ({@link SlotTable},
 * {@link PortRecovery}, {@link PortLink}, {@link PortSleep}). Any level, no lock.
 */
public final class PortCounters {
    private final PortLink link;
    private final SlotTable slots;
    private final PortRecovery recovery;
    private final PortSleep sleep;

    PortCounters(PortLink link, SlotTable slots, PortRecovery recovery, PortSleep sleep) {
        this.link = link;
        this.slots = slots;
        this.recovery = recovery;
        this.sleep = sleep;
    }

    /** Commands issued since start (in slots and alone). */
    public long commandsIssued() {
        return slots.commandsIssued();
    }

    /** PRD entries the commands issued through slots carried. */
    public long prdEntriesIssued() {
        return slots.prdEntriesIssued();
    }

    /** Commands recovery retried alone after an error, a link change or a reset. */
    public long commandsRetried() {
        return recovery.commandsRetried();
    }

    /** Interrupts of this port that completed nothing and flagged nothing (see {@link InterruptStorm}). */
    public long spuriousInterrupts() {
        return slots.spuriousInterrupts();
    }

    /** Interrupt storms detected on this port; each masked its interrupts and reset it. */
    public int interruptStorms() {
        return slots.interruptStorms();
    }

    /** COMRESETs sent to the device (bring-up, recovery, waking from SLEEP). */
    public long comresets() {
        return link.comresets();
    }

    /** COMRESETs that brought the device back from SLEEP. */
    public long wakeResets() {
        return sleep.wakeResets();
    }
}
