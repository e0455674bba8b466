package io.jahci.miniport;

import io.jahci.ahci.PortIs;

/**
 * The last {@link #CAPACITY} register snapshots of one port, as StorAHCI's execution history:
 * cheap to record (preallocated primitive arrays, nothing allocated), printed with every error.
 *
 * <p>Recorded by whoever holds the port (its I/O lock or the interrupt thread); {@link #dump()}
 * is called on error paths. Synchronized, so a dump never sees a half-written entry.
 */
public final class RegisterHistory {
    /** What happened when a snapshot was taken. */
    public enum Event { START, STOP, COMRESET, ISSUE, INTERRUPT, ERROR, TIMEOUT, RECOVERED, LOST }

    public static final int CAPACITY = 16;
    private static final Event[] EVENTS = Event.values();

    private final long[] time = new long[CAPACITY];
    private final int[] event = new int[CAPACITY];
    private final int[] is = new int[CAPACITY];
    private final int[] cmd = new int[CAPACITY];
    private final int[] tfd = new int[CAPACITY];
    private final int[] ssts = new int[CAPACITY];
    private final int[] serr = new int[CAPACITY];
    private final int[] ci = new int[CAPACITY];
    private final int[] sact = new int[CAPACITY];
    private long count;

    /** Records one snapshot. Registers not read for this event are passed as -1. */
    public synchronized void record(Event what, int pxIs, int pxCmd, int pxTfd, int pxSsts, int pxSerr, int pxCi,
                                    int pxSact) {
        int i = (int) (count++ % CAPACITY);
        time[i] = System.nanoTime();
        event[i] = what.ordinal();
        is[i] = pxIs;
        cmd[i] = pxCmd;
        tfd[i] = pxTfd;
        ssts[i] = pxSsts;
        serr[i] = pxSerr;
        ci[i] = pxCi;
        sact[i] = pxSact;
    }

    /** The snapshots, oldest first, one line each, with times relative to the newest. */
    public synchronized String dump() {
        StringBuilder out = new StringBuilder("register history (oldest first, t relative to the last entry):");
        long n = Math.min(count, CAPACITY);
        long newest = count == 0 ? 0 : time[(int) ((count - 1) % CAPACITY)];
        for (long k = count - n; k < count; k++) {
            int i = (int) (k % CAPACITY);
            out.append(String.format("%n  %+10.3f ms %-9s IS=%s CMD=%s TFD=%s SSTS=%s SERR=%s CI=%s SACT=%s",
                    (time[i] - newest) / 1e6, EVENTS[event[i]], hex(is[i]), hex(cmd[i]), hex(tfd[i]),
                    hex(ssts[i]), hex(serr[i]), hex(ci[i]), hex(sact[i])));
            if (is[i] != -1 && is[i] != 0) {
                out.append(" [").append(PortIs.describe(is[i])).append(']');
            }
        }
        if (count == 0) {
            out.append(" (empty)");
        }
        return out.toString();
    }

    private static String hex(int value) {
        return value == -1 ? "-" : String.format("%08x", value);
    }
}
