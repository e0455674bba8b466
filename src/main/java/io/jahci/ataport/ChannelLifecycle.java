package io.jahci.ataport;

/**
 * The steps of {@link Channel#start()} and {@link Channel#stop()}, in the order
 * {@link ChannelState} draws. Every method runs at PASSIVE on the caller's thread, holding no lock
 * on entry; it parks (draining deferred work).
 *
 * @param <X> the channel extension type
 */
final class ChannelLifecycle<X> {
    private final Channel<X> channel;
    private final Miniport<X> miniport;
    private final ChannelDpc<X> dpc;
    private final BusyQueue<X> busy;
    private final SpinLock interruptLock;

    ChannelLifecycle(Channel<X> channel, Miniport<X> miniport, ChannelDpc<X> dpc, BusyQueue<X> busy, SpinLock interruptLock) {
        this.channel = channel;
        this.miniport = miniport;
        this.dpc = dpc;
        this.busy = busy;
        this.interruptLock = interruptLock;
    }

    /**
     * STOPPED, STARTING (StartChannel), INITIALIZING (Initialize, ISR on), STARTED. A failure at any
     * step (false, or an exception, which is rethrown) tears down what the steps before did and
     * leaves STOPPED. PASSIVE; the caller checked the state is STOPPED.
     */
    boolean start() {
        X extension = channel.extension();
        boolean started = false;
        boolean channelStarted = false;
        channel.setState(ChannelState.STARTING);
        try {
            channelStarted = miniport.control(extension, ControlAction.START_CHANNEL);
            if (!channelStarted) {
                return false;
            }
            channel.setState(ChannelState.INITIALIZING);
            Irql previous = channel.enterSerialized(true);
            try {
                started = miniport.initialize(extension);
                if (started) {
                    channel.setState(ChannelState.STARTED); // under the channel lock: no StartIo before this
                }
            } finally {
                channel.exitSerialized(previous);
            }
            return started;
        } finally {
            if (!started) {
                tearDown(channelStarted);
            }
        }
    }

    /**
     * STARTED to STOPPING: no ISR starts and no request reaches StartIo from now on; waits for a
     * running ISR, aborts the busy queue, drains deferred work, calls StopChannel; STOPPED.
     * PASSIVE; the caller checked the state is STARTED.
     */
    void stop() {
        tearDown(true);
    }

    /**
     * STOPPING, then STOPPED however it ends.
     *
     * @param stopChannel whether StartChannel succeeded and so StopChannel must undo it
     */
    private void tearDown(boolean stopChannel) {
        channel.setState(ChannelState.STOPPING);
        try {
            interruptLock.lock(); // an ISR that saw a state calling it has returned once we hold it
            interruptLock.unlock();
            IoRequest aborted;
            Irql previous = channel.enterSerialized(true);
            try {
                busy.append(dpc.takeHandedOff());
                aborted = busy.takeAll();
            } finally {
                channel.exitSerialized(previous);
            }
            while (aborted != null) {
                IoRequest next = aborted.next;
                aborted.next = null;
                channel.completeInternally(aborted, IoStatus.ABORTED);
                aborted = next;
            }
            dpc.setTimer(null, 0);
            dpc.awaitDrained();
            if (stopChannel) {
                miniport.control(channel.extension(), ControlAction.STOP_CHANNEL);
            }
        } finally {
            dpc.setTimer(null, 0); // deferred work may have armed it again
            channel.setState(ChannelState.STOPPED);
        }
    }
}
