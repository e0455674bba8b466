package io.jahci.ataport;

/**
 * {@code IDE_HW_DPC}: a miniport routine the port calls later with the channel extension: a worker
 * routine ({@link Channel#requestWorkerRoutine}), a synchronized routine
 * ({@link Channel#requestSynchronizedRoutine}) or a timer routine ({@link Channel#requestTimer}).
 * Pass the same instance each time (a field, not a capturing lambda) to keep the hot path
 * allocation-free.
 *
 * @param <X> the channel extension type
 */
@FunctionalInterface
public interface ChannelRoutine<X> {
    void run(X channelExtension);
}
