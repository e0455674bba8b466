package io.jahci.ataport;

/**
 * The channel interface an ATA miniport implements (the {@code IDE_CHANNEL_INTERFACE} callbacks).
 * The port calls each method with the channel extension that {@link #channelInit} returned, at
 * the level given below; the full serialization table, for both SyncWithIsr modes and for
 * channels sharing an interrupt source, is in {@code docs/port-layer.md}.
 *
 * @param <X> the channel extension type: the miniport's per-channel state
 */
public interface Miniport<X> {
    /**
     * AtaChannelInitRoutine. Runs at PASSIVE on the thread that calls
     * {@link PortDriver#createChannel}, no lock held; it may block. Creates the channel
     * extension, may keep {@code channel} in it to call port services later, and fills
     * {@code configuration} (SyncWithIsr).
     */
    X channelInit(Channel<X> channel, ChannelConfiguration configuration);

    /**
     * IdeHwInitialize. Runs at DIRQL holding the channel lock and the interrupt lock when
     * SyncWithIsr is true; at DISPATCH holding the channel lock when it is false.
     *
     * @return false if the channel could not be initialized
     */
    boolean initialize(X channelExtension);

    /**
     * IdeHwBuildIo. Runs on the submitting thread at PASSIVE or DISPATCH, unsynchronized: no lock
     * held, concurrently with the ISR and with other routines of this channel. Prepares what needs
     * no synchronization; uses {@link Channel#requestSynchronizedRoutine} for data the ISR shares.
     *
     * @return true to have the port call {@link #startIo}; false if the miniport has completed (or
     *     will complete) the request itself with {@link Channel#completeRequest}
     */
    boolean buildIo(X channelExtension, IoRequest request);

    /**
     * IdeHwStartIo. Runs at DIRQL holding the channel lock and the interrupt lock when SyncWithIsr
     * is true; at DISPATCH holding the channel lock when it is false (so the ISR may run meanwhile).
     *
     * @return true if the request was started; false if the channel is busy: the port keeps the
     *     request in the channel's queue and offers it again after the next completion or
     *     {@link Channel#requestNextRequest}
     */
    boolean startIo(X channelExtension, IoRequest request);

    /**
     * IdeHwInterrupt, the ISR. Runs at DIRQL on the interrupt thread of the channel's interrupt
     * source, holding that source's interrupt lock; must not block or allocate.
     *
     * @return true if this channel's device raised the interrupt (claimed it)
     */
    boolean interrupt(X channelExtension);

    /**
     * The completion poll, used instead of completion interrupts when the port's
     * {@link CompletionMode} polls (as Windows calls the ISR in polled dump mode). Runs at DIRQL
     * holding the interrupt lock, like the ISR, but on a polling thread (a caller waiting in
     * {@link ChannelPolling#awaitPolled} or the port's {@code jahci-poll} thread); must not block or
     * allocate, and should be cheap when nothing completed. Default: the ISR itself.
     *
     * @return true if it found something to do (a completion or an error)
     */
    default boolean poll(X channelExtension) {
        return interrupt(channelExtension);
    }

    /**
     * IdeHwReset. Runs at DIRQL holding the channel lock and the interrupt lock when SyncWithIsr
     * is true; at DISPATCH holding the channel lock when it is false.
     *
     * @return false if the reset failed
     */
    boolean reset(X channelExtension);

    /**
     * IdeHwControl. START_CHANNEL and STOP_CHANNEL run at PASSIVE with no lock held;
     * POWER_UP and POWER_DOWN run at DISPATCH holding the channel lock (both SyncWithIsr modes).
     *
     * @return false if the action failed
     */
    boolean control(X channelExtension, ControlAction action);
}
