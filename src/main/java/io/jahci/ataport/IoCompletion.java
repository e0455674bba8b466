package io.jahci.ataport;

/** Called once a submitted {@link IoRequest} is complete. */
@FunctionalInterface
public interface IoCompletion {
    /**
     * Runs at DISPATCH, no lock held, on a port thread: a DISPATCH worker, or the thread that ran
     * the ISR or poll which completed it (the interrupt thread in {@link CompletionMode#INTERRUPT},
     * right after the ISR; the polling thread otherwise). The request is already idle again, so the
     * callback may resubmit it (on the interrupt thread its StartIo then runs on a DISPATCH
     * worker); it must not block, nor call {@link Channel#reset} or {@link Channel#powerUp}/
     * {@link Channel#powerDown} (rule INTERRUPT_THREAD_WAIT on the interrupt thread).
     */
    void completed(IoRequest request);
}
