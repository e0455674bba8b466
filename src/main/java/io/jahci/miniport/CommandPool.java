package io.jahci.miniport;

import io.jahci.ataport.IoCompletion;
import io.jahci.ataport.Verifier;
import io.jahci.hw.Transport;

import java.io.IOException;

/**
 * A port's preallocated commands, one per slot it may use. Submitters take a free command
 * ({@link #acquire}, PASSIVE, waits while all are taken); completions and callers give it back
 * ({@link #release}, any level, never blocks, allocates nothing). The number of commands handed
 * out at once is the port's queue depth, which follows the attached disk ({@link #setDepth}).
 *
 * <p>A command a caller still holds when the depth changes (one reserved for in-place I/O across
 * a disk's removal and arrival) stays taken and comes back through {@link #release} like any
 * other; one beyond the new depth is then retired instead of freed. Every field is guarded by this
 * object's monitor, held for a few bit operations only (also at DISPATCH).
 */
final class CommandPool {
    private final Transport transport;
    private final AhciPortOptions options;
    private final IoCompletion completion;
    private final AhciCommand[] commands = new AhciCommand[32];
    private int size;
    private int depth;
    /** Slots whose command may be handed out. */
    private int free;
    /** Slots whose command is handed out (in flight, or reserved by a caller). */
    private int taken;
    /** Submitters waiting in {@link #acquire}. */
    private int waiting;

    CommandPool(Transport transport, AhciPortOptions options, IoCompletion completion) {
        this.transport = transport;
        this.options = options;
        this.completion = completion;
    }

    /**
     * Makes {@code newDepth} commands available (allocating DMA for any not made yet); commands
     * taken now stay taken until released. PASSIVE.
     */
    void setDepth(int newDepth) throws IOException {
        while (size < newDepth) {
            commands[size] = new AhciCommand(size, transport, options, completion);
            size++;
        }
        synchronized (this) {
            depth = newDepth;
            free = (newDepth == 32 ? -1 : (1 << newDepth) - 1) & ~taken;
            notifyAll();
        }
    }

    synchronized int depth() {
        return depth;
    }

    /** Commands taken now (in flight, or reserved by a caller). Any level. */
    synchronized int taken() {
        return Integer.bitCount(taken);
    }

    /** Highest bus address of any command's memory, for the 32-bit check. */
    long highestBusAddress() {
        long highest = 0;
        for (int i = 0; i < size; i++) {
            highest = Math.max(highest, commands[i].highestBusAddress());
        }
        return highest;
    }

    /**
     * Takes a free command (the lowest slot), waiting while all {@link #depth()} are taken. PASSIVE:
     * above it, it is refused before it takes anything, whether or not it would have waited.
     *
     * @throws io.jahci.ataport.VerifierException BLOCKING_CALL_AT_RAISED_LEVEL at DISPATCH or DIRQL
     */
    AhciCommand acquire() throws InterruptedException {
        Verifier.mightSleep("CommandPool.acquire");
        return take();
    }

    private synchronized AhciCommand take() throws InterruptedException {
        while (free == 0) {
            waiting++;
            try {
                wait();
            } finally {
                waiting--;
            }
        }
        int bit = Integer.lowestOneBit(free);
        free &= ~bit;
        taken |= bit;
        return commands[Integer.numberOfTrailingZeros(bit)];
    }

    /** Gives a command back (or retires it, beyond the depth). Any level; never blocks, allocates nothing. */
    synchronized void release(AhciCommand c) {
        int bit = 1 << c.index;
        if ((taken & bit) == 0) {
            throw new IllegalStateException("command " + c.index + " was given back twice");
        }
        taken &= ~bit;
        if (c.index < depth) {
            free |= bit;
            if (waiting > 0) {
                notify();
            }
        }
    }

    /** Frees every command's DMA memory. PASSIVE, at close. */
    void releaseMemory() {
        for (int i = 0; i < size; i++) {
            commands[i].release();
        }
        size = 0;
    }
}
