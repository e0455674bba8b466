package io.jahci.disk;

import io.jahci.ataport.CompletionMode;
import io.jahci.ataport.PortDriverOptions;
import io.jahci.ataport.ThreadPlacement;
import io.jahci.ataport.WaitMode;
import io.jahci.hw.RegisterCounts;
import io.jahci.miniport.AhciHba;
import io.jahci.miniport.AhciPortOptions;

/**
 * How to open a controller.
 *
 * @param allowWrite      whether {@link Disk#write} and {@link Disk#flush} may run (off by default:
 *                        jahci reads unless told to write)
 * @param portOptions     timeouts and DMA sizes per port
 * @param syncWithIsr     the seeds' SyncWithIsr (default true): StartIo, Initialize and Reset run
 *                        under the interrupt lock (DIRQL) or without it (DISPATCH)
 * @param verifier        the port layer's costly verifier checks (ISR timing); misuse fails loudly either way
 * @param waitMode        how the interrupt thread and DISPATCH workers wait (default block)
 * @param threadPlacement CPU and SCHED_FIFO per port-thread role (default none)
 * @param registerCounts  where to count register accesses, or null (the default) to count nothing
 * @param completion      how completions are detected (default {@link CompletionMode#INTERRUPT}, or the
 *                        system property {@code jahci.completion}; see docs/latency-completion.md)
 */
public record OpenOptions(boolean allowWrite, AhciPortOptions portOptions, boolean syncWithIsr, boolean verifier,
        WaitMode waitMode, ThreadPlacement threadPlacement, RegisterCounts registerCounts, CompletionMode completion) {
    public OpenOptions {
        java.util.Objects.requireNonNull(completion, "completion");
    }

    public static OpenOptions readOnly() {
        return new OpenOptions(false, AhciPortOptions.DEFAULT, true, Boolean.getBoolean("jahci.verifier"),
                WaitMode.BLOCK, ThreadPlacement.none(), null, new PortDriverOptions().completionMode());
    }

    public static OpenOptions readWrite() {
        return readOnly().withAllowWrite(true);
    }

    public OpenOptions withAllowWrite(boolean allow) {
        return new OpenOptions(allow, portOptions, syncWithIsr, verifier, waitMode, threadPlacement, registerCounts, completion);
    }

    public OpenOptions withPortOptions(AhciPortOptions options) {
        return new OpenOptions(allowWrite, options, syncWithIsr, verifier, waitMode, threadPlacement, registerCounts, completion);
    }

    public OpenOptions withSyncWithIsr(boolean sync) {
        return new OpenOptions(allowWrite, portOptions, sync, verifier, waitMode, threadPlacement, registerCounts, completion);
    }

    public OpenOptions withVerifier(boolean on) {
        return new OpenOptions(allowWrite, portOptions, syncWithIsr, on, waitMode, threadPlacement, registerCounts, completion);
    }

    public OpenOptions withWaitMode(WaitMode mode) {
        return new OpenOptions(allowWrite, portOptions, syncWithIsr, verifier, mode, threadPlacement, registerCounts, completion);
    }

    public OpenOptions withThreadPlacement(ThreadPlacement placement) {
        return new OpenOptions(allowWrite, portOptions, syncWithIsr, verifier, waitMode, placement, registerCounts, completion);
    }

    /** Counts every register access into {@code counts} (a benchmark's accounting); null counts nothing. */
    public OpenOptions withRegisterCounts(RegisterCounts counts) {
        return new OpenOptions(allowWrite, portOptions, syncWithIsr, verifier, waitMode, threadPlacement, counts, completion);
    }

    public OpenOptions withCompletion(CompletionMode mode) {
        return new OpenOptions(allowWrite, portOptions, syncWithIsr, verifier, waitMode, threadPlacement, registerCounts, mode);
    }

    AhciHba.Config hbaConfig() {
        return new AhciHba.Config(portOptions, syncWithIsr, new PortDriverOptions().verifier(verifier)
                .waitMode(waitMode).threadPlacement(threadPlacement).completionMode(completion));
    }
}
