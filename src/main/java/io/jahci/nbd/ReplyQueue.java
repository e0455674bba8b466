package io.jahci.nbd;

import java.nio.channels.Selector;

/**
 * The requests a connection's loop has to look at again: those the disk completed (queued at
 * DISPATCH by their completion) and those answered without the disk (queued by the loop itself).
 * A fixed ring under this object's monitor, which is held for a few field updates only; nothing is
 * allocated per request.
 *
 * <p>The queue also knows whether the loop is asleep, and how: waiting in its selector (a
 * completion then wakes it with {@link Selector#wakeup()}) or servicing the interrupt itself in
 * {@link io.jahci.disk.Disk#awaitCompletions} (the completion runs on the loop's own thread: nothing
 * to wake). An in-place READ completed while the loop sleeps with nothing queued and no reply
 * waiting to be written stays in its command's buffer and is written from there; any other is
 * first copied into its context's own buffer and its command given back, so a client that does not
 * read its replies pins no command but the one whose reply is being written.
 *
 * <pre>
 *  loop:  RUNNING --sleep(select)--> SELECTING --a completion queued: wakeup()--> RUNNING
 *         RUNNING --sleep(await)---> AWAITING  --awake()---------------------> RUNNING
 *         sleep() refuses (stays RUNNING) when something is queued already
 * </pre>
 */
final class ReplyQueue {
    private final Selector selector;

    // this object's monitor
    private final NbdRequest[] ring;
    private int head;
    private int count;
    private boolean asleep;
    private boolean selecting;
    /** The loop has replies to write besides the queue's: set as it goes to sleep. */
    private boolean backlog;
    /** {@link #count} for the await condition, read without the monitor. */
    private volatile int queued;

    /** @param capacity the most requests that can be queued at once (every context) */
    ReplyQueue(Selector selector, int capacity) {
        this.selector = selector;
        this.ring = new NbdRequest[capacity];
    }

    /**
     * Queues a request for the loop, copying an in-place READ's data out first unless the loop
     * will write it at once (see the class comment), and wakes the loop if it waits in its
     * selector. DISPATCH (a completion) or the loop; never blocks, allocates nothing.
     */
    void add(NbdRequest r) {
        boolean wake;
        synchronized (this) {
            if (r.readInPlace() && (!asleep || count > 0 || backlog)) {
                r.copyOut();
            }
            ring[(head + count) % ring.length] = r;
            count++;
            queued = count;
            wake = selecting;
            selecting = false;
        }
        if (wake) {
            selector.wakeup();
        }
    }

    /** The next queued request, or null. Loop thread. */
    synchronized NbdRequest poll() {
        if (count == 0) {
            return null;
        }
        NbdRequest r = ring[head];
        ring[head] = null;
        head = (head + 1) % ring.length;
        count--;
        queued = count;
        return r;
    }

    /** Whether a request is queued. Any thread, no lock (the loop's await condition). */
    boolean hasQueued() {
        return queued > 0;
    }

    /**
     * The loop is about to wait, in its selector ({@code select}) or servicing the interrupt;
     * {@code backlog}: replies not yet written are waiting. False, and the loop must not wait,
     * when a request is queued already. Loop thread.
     */
    synchronized boolean sleep(boolean select, boolean backlog) {
        if (count > 0) {
            return false;
        }
        this.asleep = true;
        this.selecting = select;
        this.backlog = backlog;
        return true;
    }

    /** The loop is running again. Loop thread. */
    synchronized void awake() {
        asleep = false;
        selecting = false;
    }
}
