package io.jahci.miniport;

import io.jahci.ataport.IoCompletion;
import io.jahci.hw.Transport;

import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A port's preallocated commands, one per slot it may use. Submitters take a free command
 * ({@link #acquire}, PASSIVE, waits while all are in flight); completions give it back
 * ({@link #release}, any level, allocates nothing). The number of commands handed out at once is
 * the port's queue depth, which follows the attached disk ({@link #setDepth}).
 */
final class CommandPool {
    private final Transport transport;
    private final AhciPortOptions options;
    private final IoCompletion completion;
    private final AhciCommand[] commands = new AhciCommand[32];
    private final AtomicInteger freeMask = new AtomicInteger();
    private final Semaphore permits = new Semaphore(0);
    private int size;
    private int depth;

    CommandPool(Transport transport, AhciPortOptions options, IoCompletion completion) {
        this.transport = transport;
        this.options = options;
        this.completion = completion;
    }

    /**
     * Makes {@code newDepth} commands available (allocating DMA for any not made yet). PASSIVE,
     * with no command of this pool in flight.
     */
    void setDepth(int newDepth) throws IOException {
        while (size < newDepth) {
            commands[size] = new AhciCommand(size, transport, options, completion);
            size++;
        }
        permits.drainPermits();
        freeMask.set(newDepth == 32 ? -1 : (1 << newDepth) - 1);
        depth = newDepth;
        permits.release(newDepth);
    }

    int depth() {
        return depth;
    }

    /** Commands taken now (in flight, or reserved by a caller). Any level. */
    int taken() {
        return depth - permits.availablePermits();
    }

    /** Highest bus address of any command's memory, for the 32-bit check. */
    long highestBusAddress() {
        long highest = 0;
        for (int i = 0; i < size; i++) {
            highest = Math.max(highest, commands[i].highestBusAddress());
        }
        return highest;
    }

    /** Takes a free command, waiting while all {@link #depth()} are in flight. PASSIVE. */
    AhciCommand acquire() throws InterruptedException {
        permits.acquire();
        while (true) {
            int mask = freeMask.get();
            int bit = Integer.lowestOneBit(mask);
            if (freeMask.compareAndSet(mask, mask & ~bit)) {
                return commands[Integer.numberOfTrailingZeros(bit)];
            }
        }
    }

    /** Gives a command back. Any level; allocates nothing. */
    void release(AhciCommand c) {
        int bit = 1 << c.index;
        while (true) {
            int mask = freeMask.get();
            if (freeMask.compareAndSet(mask, mask | bit)) {
                break;
            }
        }
        permits.release();
    }

    /** Frees every command's DMA memory. PASSIVE, at close. */
    void releaseMemory() {
        for (int i = 0; i < size; i++) {
            commands[i].release();
        }
        size = 0;
    }
}
