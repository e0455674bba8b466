package io.jahci.ataport;

/**
 * The part of {@code IDE_CHANNEL_CONFIGURATION} the port layer acts on. The miniport fills it in
 * its channel init routine; the port reads it once, when channel init returns.
 */
public final class ChannelConfiguration {
    private boolean syncWithIsr;

    /**
     * {@code SyncWithIsr}: true makes the port call Initialize, StartIo and Reset at DIRQL (holding
     * the interrupt lock as well as the channel lock); false calls them at DISPATCH (channel lock
     * only), so the ISR may run concurrently with them. Default false.
     */
    public ChannelConfiguration syncWithIsr(boolean value) {
        this.syncWithIsr = value;
        return this;
    }

    public boolean syncWithIsr() {
        return syncWithIsr;
    }
}
