package io.jahci.ataport;

/**
 * The verifier's checks at the entry of a {@link Channel}'s services, and of
 * {@link ChannelPolling#awaitPolled}. Any level; allocate nothing unless they throw.
 */
final class ChannelChecks {
    private static final String ANY_BUT_STOPPED = "channel STARTING, INITIALIZING, STARTED or STOPPING";

    private ChannelChecks() {}

    /**
     * The checks of submit, reset, powerUp/Down: WRONG_LEVEL above DISPATCH,
     * SERVICE_ON_STOPPED_CHANNEL unless STARTED, CHANNEL_LOCK_ALREADY_OWNED from a routine holding
     * this channel's lock (a worker routine, StartIo...).
     */
    static void caller(Channel<?> channel, String routine) {
        Verifier.checkAtMost(routine, Irql.DISPATCH);
        started(channel, routine);
        SpinLock channelLock = channel.channelLock();
        if (channelLock.isHeldByCurrentThread()) {
            throw Verifier.violation(VerifierException.Rule.CHANNEL_LOCK_ALREADY_OWNED, routine + " of " + channel,
                    channelLock + " free on this thread", channelLock + " held by this thread (called from a routine of "
                    + channel + ")");
        }
    }

    /**
     * The checks of reset and powerUp/Down, which wait for the channel lock on the calling thread:
     * those of {@link #caller}, and INTERRUPT_THREAD_WAIT on an interrupt thread (a completion
     * callback it runs after the ISR), which must stay free to run ISRs.
     */
    static void waitsForChannelLock(Channel<?> channel, String routine) {
        caller(channel, routine);
        if (Levels.onInterruptThread()) {
            throw Verifier.violation(VerifierException.Rule.INTERRUPT_THREAD_WAIT, routine + " of " + channel,
                    "a thread that does not run ISRs", Irql.current() + " on the interrupt thread");
        }
    }

    /** SERVICE_ON_STOPPED_CHANNEL unless the channel is STARTED. */
    static void started(Channel<?> channel, String routine) {
        ChannelState s = channel.state();
        if (s != ChannelState.STARTED) {
            throw Verifier.violation(VerifierException.Rule.SERVICE_ON_STOPPED_CHANNEL, routine + " of " + channel,
                    "channel STARTED", "channel " + s);
        }
    }

    /** SERVICE_ON_STOPPED_CHANNEL unless the state allows port services (every state but STOPPED). */
    static void notStopped(Channel<?> channel, String service) {
        ChannelState s = channel.state();
        if (!s.allowsServices()) {
            throw Verifier.violation(VerifierException.Rule.SERVICE_ON_STOPPED_CHANNEL, service + " of " + channel,
                    ANY_BUT_STOPPED, "channel " + s);
        }
    }
}
