package io.jahci.disk;

import io.jahci.miniport.PortOptions;

/**
 * How to open a controller.
 *
 * @param allowWrite  whether {@link Disk#write} and {@link Disk#flush} may run (off by default:
 *                    jahci reads unless told to write)
 * @param portOptions timeouts and DMA sizes
 */
public record OpenOptions(boolean allowWrite, PortOptions portOptions) {
    public static OpenOptions readOnly() {
        return new OpenOptions(false, PortOptions.DEFAULT);
    }

    public static OpenOptions readWrite() {
        return new OpenOptions(true, PortOptions.DEFAULT);
    }

    public OpenOptions withPortOptions(PortOptions options) {
        return new OpenOptions(allowWrite, options);
    }
}
