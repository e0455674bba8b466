package io.jahci.ataport;

/**
 * How the port learns that a request completed ({@link PortDriverOptions#completionMode}).
 *
 * <ul>
 *   <li>{@link #INTERRUPT}: the device interrupts; the interrupt thread runs the ISR at DIRQL, then
 *       the channel's completions at DISPATCH on the same thread, without the interrupt lock (as
 *       Windows runs a DPC after the ISR; see {@link ChannelDpc#claim}). Worker routines still run
 *       on the DISPATCH workers, so the ISR can run while one runs (S2).</li>
 *   <li>{@link #POLL}: the miniport masks its completion interrupts (errors and link changes stay
 *       on) and the port calls {@link Miniport#poll} instead: on the caller's thread while it
 *       waits for its own request ({@link ChannelPolling#awaitPolled}), and on the port's poller thread
 *       {@code jahci-poll} for requests nobody waits for. Both spin between polls.</li>
 *   <li>{@link #HYBRID}: as POLL, but a poller first sleeps half the channel's running mean service
 *       time, then spins (Linux's hybrid polling, {@code blk_mq_poll_hybrid}).</li>
 * </ul>
 */
public enum CompletionMode {
    INTERRUPT, HYBRID, POLL;

    /** Whether completion interrupts are masked and the port polls. */
    public boolean polls() {
        return this != INTERRUPT;
    }

    /** The mode named {@code name} ({@code interrupt}, {@code hybrid}, {@code poll}, any case). */
    public static CompletionMode parse(String name) {
        for (CompletionMode m : values()) {
            if (m.name().equalsIgnoreCase(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown completion mode '" + name + "': use interrupt, hybrid or poll");
    }
}
