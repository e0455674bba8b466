package io.jahci.ataport;

/** The outcome of an {@link IoRequest}, set when the miniport completes it. */
public enum IoStatus {
    /** Never completed: not yet submitted, or in flight. */
    NONE,
    SUCCESS,
    ERROR,
    /** Dropped by the port because the channel stopped before the miniport started it. */
    ABORTED
}
