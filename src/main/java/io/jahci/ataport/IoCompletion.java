package io.jahci.ataport;

/** Called once a submitted {@link IoRequest} is complete. */
@FunctionalInterface
public interface IoCompletion {
    /**
     * Runs at DISPATCH on a port worker thread, no lock held. The request is already idle again,
     * so the callback may resubmit it; it must not block.
     */
    void completed(IoRequest request);
}
