package io.jahci.ataport;

/** The {@code IDE_CONTROL_ACTION} values passed to {@link Miniport#control}. */
public enum ControlAction {
    /** IdeStart: called at PASSIVE, no lock held. */
    START_CHANNEL,
    /** IdeStop: called at PASSIVE, no lock held. */
    STOP_CHANNEL,
    /** IdePowerUp: called at DISPATCH holding the channel lock. */
    POWER_UP,
    /** IdePowerDown: called at DISPATCH holding the channel lock. */
    POWER_DOWN
}
