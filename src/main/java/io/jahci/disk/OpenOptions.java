package io.jahci.disk;

import io.jahci.ataport.CompletionMode;
import io.jahci.ataport.PortDriverOptions;
import io.jahci.miniport.AhciHba;
import io.jahci.miniport.AhciPortOptions;

import java.util.Objects;

/**
 * How to open a controller.
 *
 * @param allowWrite  whether {@link Disk#write} and {@link Disk#flush} may run (off by default:
 *                    jahci reads unless told to write)
 * @param portOptions timeouts and DMA sizes per port
 * @param syncWithIsr the seeds' SyncWithIsr (default true): StartIo, Initialize and Reset run
 *                    under the interrupt lock (DIRQL) or without it (DISPATCH)
 * @param verifier    the port layer's costly verifier checks (ISR timing); misuse fails loudly either way
 * @param completion  how completions are detected (default {@link CompletionMode#INTERRUPT}, or the
 *                    system property {@code jahci.completion}; see docs/latency-completion.md)
 */
public record OpenOptions(boolean allowWrite, AhciPortOptions portOptions, boolean syncWithIsr, boolean verifier,
                          CompletionMode completion) {
    public OpenOptions {
        Objects.requireNonNull(completion, "completion");
    }

    public static OpenOptions readOnly() {
        return new OpenOptions(false, AhciPortOptions.DEFAULT, true, Boolean.getBoolean("jahci.verifier"),
                new PortDriverOptions().completionMode());
    }

    public static OpenOptions readWrite() {
        return readOnly().withAllowWrite(true);
    }

    public OpenOptions withAllowWrite(boolean allow) {
        return new OpenOptions(allow, portOptions, syncWithIsr, verifier, completion);
    }

    public OpenOptions withPortOptions(AhciPortOptions options) {
        return new OpenOptions(allowWrite, options, syncWithIsr, verifier, completion);
    }

    public OpenOptions withSyncWithIsr(boolean sync) {
        return new OpenOptions(allowWrite, portOptions, sync, verifier, completion);
    }

    public OpenOptions withVerifier(boolean on) {
        return new OpenOptions(allowWrite, portOptions, syncWithIsr, on, completion);
    }

    public OpenOptions withCompletion(CompletionMode mode) {
        return new OpenOptions(allowWrite, portOptions, syncWithIsr, verifier, mode);
    }

    AhciHba.Config hbaConfig() {
        return new AhciHba.Config(portOptions, syncWithIsr, new PortDriverOptions().verifier(verifier).completionMode(completion));
    }
}
