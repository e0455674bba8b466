package io.jahci.ataport;

/**
 * A channel's busy queue: the requests BuildIo passed that wait for StartIo, oldest first, and the
 * loop that offers them (IdeHwStartIo) until the miniport reports busy. Every method but
 * {@link #hasWaiting} runs with the channel's channel lock held (and with SyncWithIsr its interrupt
 * lock), at the level {@code Channel} raised to for StartIo. Only a STARTED channel offers
 * requests: in any other state, under the same lock, they complete ABORTED instead. Links through {@link IoRequest#next};
 * allocates nothing.
 *
 * @param <X> the channel extension type
 */
final class BusyQueue<X> {
    private final Channel<X> channel;
    private final Miniport<X> miniport;
    private final PortDriver<?> port;
    private final LatencyProbe probe;
    private final SpinLock channelLock;
    // Guarded by channelLock.
    private IoRequest head;
    private IoRequest tail;
    /**
     * Requests appended and not yet accepted or aborted, including one StartIo is deciding on right
     * now (it is off the list meanwhile). Written under the channel lock, read without it by
     * {@link #hasWaiting}.
     */
    private volatile int waiting;

    BusyQueue(Channel<X> channel, Miniport<X> miniport, PortDriver<?> port, SpinLock channelLock) {
        this.channel = channel;
        this.miniport = miniport;
        this.port = port;
        this.probe = port.options().latencyProbe();
        this.channelLock = channelLock;
    }

    /**
     * Whether a request waits for StartIo or is being offered. Any level, no lock: a false answer
     * means every request appended before the caller's last synchronization with the submitter was
     * accepted or aborted, so a slot the caller freed before asking is seen by any later StartIo.
     */
    boolean hasWaiting() {
        return waiting > 0;
    }

    /** Appends a chain of requests linked through {@link IoRequest#next} (null: nothing). Channel lock held. */
    void append(IoRequest first) {
        assert channelLock.isHeldByCurrentThread() : channelLock + " not held";
        for (IoRequest r = first; r != null; ) {
            IoRequest next = r.next;
            r.next = null;
            if (tail == null) {
                head = r;
            } else {
                tail.next = r;
            }
            tail = r;
            waiting++;
            r = next;
        }
    }

    /** Takes every waiting request off the queue, as a chain, oldest first. Channel lock held. */
    IoRequest takeAll() {
        assert channelLock.isHeldByCurrentThread() : channelLock + " not held";
        IoRequest all = head;
        head = null;
        tail = null;
        waiting = 0;
        return all;
    }

    /** Completes every waiting request as ABORTED. Channel lock held. */
    private void abortAll() {
        for (IoRequest r = takeAll(); r != null; ) {
            IoRequest next = r.next;
            r.next = null;
            channel.completeInternally(r, IoStatus.ABORTED);
            r = next;
        }
    }

    /**
     * Offers the waiting requests to StartIo, oldest first, until it reports busy; a request whose
     * StartIo throws completes with {@link IoStatus#ERROR}. Channel lock held (and the interrupt
     * lock with SyncWithIsr), at DISPATCH or DIRQL.
     */
    void startWaiting(X extension) {
        assert channelLock.isHeldByCurrentThread() : channelLock + " not held";
        if (!channel.state().acceptsRequests()) {
            abortAll(); // stop() began: a request that reached the queue after its abort never sees StartIo
            return;
        }
        while (head != null) {
            IoRequest request = head;
            head = request.next;
            if (head == null) {
                tail = null;
            }
            request.next = null;
            boolean accepted;
            try {
                accepted = miniport.startIo(extension, request);
            } catch (RuntimeException | Error e) {
                port.recordFailure("IdeHwStartIo of " + channel, e);
                waiting--;
                channel.completeInternally(request, IoStatus.ERROR);
                continue;
            }
            if (!accepted) {
                request.next = head;
                head = request;
                if (tail == null) {
                    tail = request;
                }
                return;
            }
            waiting--;
            if (probe != null) {
                probe.startIoReturned(channel, request);
            }
        }
    }
}
