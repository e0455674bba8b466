package io.jahci.ataport;

/**
 * A thread the port driver owns: a DISPATCH worker, a PASSIVE work-item thread, the timer thread
 * or an interrupt thread. It carries its current {@link Irql} in a field so that tracking the
 * level costs one field write.
 */
final class PortThread extends Thread {
    /** Written and read only by this thread. */
    Irql level;
    /** True while this (work-item) thread services an interrupt it took as a waiter; this thread only. */
    boolean servicing;
    /** True while this thread is parked in a {@link TaskQueue} waiting for a task. */
    volatile boolean idle;
    /** How this thread spins before it blocks (its {@link WaitMode}); used only by this thread. */
    final Spinner spinner;
    private final ThreadPlacement.Role role;
    private final PortDriver<?> port;

    PortThread(String name, Irql baseLevel, ThreadPlacement.Role role, WaitMode wait, PortDriver<?> port, Runnable body) {
        super(body, name);
        this.level = baseLevel;
        this.role = role;
        this.spinner = new Spinner(wait);
        this.port = port;
        setDaemon(true);
    }

    /**
     * Whether this is an interrupt thread ({@code jahci-irq-N}), or services an interrupt it took as
     * a waiter: either must stay free to run ISRs.
     */
    boolean servesInterrupts() {
        return role == ThreadPlacement.Role.IRQ || servicing;
    }

    /** Thread start: takes the role's CPU and policy ({@link PortDriver#placeCurrentThread}), then runs the body. */
    @Override
    public void run() {
        port.placeCurrentThread(role);
        super.run();
    }
}
