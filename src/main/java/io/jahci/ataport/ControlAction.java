package io.jahci.ataport;

/** The {@code IDE_CONTROL_ACTION} values passed to {@link Miniport#control}. */
public enum ControlAction {
    /** IdeStart: called at PASSIVE, no lock held. */
    START_CHANNEL(Irql.PASSIVE),
    /** IdeStop: called at PASSIVE, no lock held. */
    STOP_CHANNEL(Irql.PASSIVE),
    /** IdePowerUp: called at DISPATCH holding the channel lock. */
    POWER_UP(Irql.DISPATCH),
    /** IdePowerDown: called at DISPATCH holding the channel lock. */
    POWER_DOWN(Irql.DISPATCH);

    private final Irql level;

    ControlAction(Irql level) {
        this.level = level;
    }

    /** The level the port calls {@link Miniport#control} at for this action. */
    public Irql level() {
        return level;
    }
}
