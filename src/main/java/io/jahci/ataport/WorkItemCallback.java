package io.jahci.ataport;

/**
 * {@code HW_WORKITEM}: a Storport work-item callback. Runs at PASSIVE on a port work-item thread
 * that may block; the port holds no lock while calling it, so it does its own synchronization.
 *
 * @param <D> the device (per-controller) extension type
 */
@FunctionalInterface
public interface WorkItemCallback<D> {
    /**
     * @param deviceExtension the port's device extension ({@code HwDeviceExtension})
     * @param context the context given to {@link PortDriver#queueWorkItem} ({@code Context})
     * @param worker the handle {@link PortDriver#initializeWorker} returned ({@code Worker}); the
     *     callback may queue it again or free it
     */
    void run(D deviceExtension, Object context, Worker worker);
}
