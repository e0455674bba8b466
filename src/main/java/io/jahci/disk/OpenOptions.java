package io.jahci.disk;

import io.jahci.ataport.CompletionMode;
import io.jahci.ataport.PortDriverOptions;
import io.jahci.ataport.ThreadPlacement;
import io.jahci.ataport.WaitMode;
import io.jahci.hw.RegisterCounts;
import io.jahci.miniport.AhciHba;
import io.jahci.miniport.AhciPortOptions;
import io.jahci.miniport.Timeouts;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * How to open a controller: start from {@link #readOnly()} or {@link #readWrite()} and change what
 * differs with the {@code with} methods. Each port gets the miniport's default tunables (1 MiB DMA
 * buffer and 256 PRD entries per command, queue depth 32, NCQ when HBA and disk support it).
 *
 * @param allowWrite      whether {@link Disk#write} and {@link Disk#flush} may run (off by default:
 *                        jahci reads unless told to write)
 * @param syncWithIsr     the port model's SyncWithIsr (default true; docs/port-layer.md): StartIo, Initialize and Reset run
 *                        under the interrupt lock (DIRQL) or without it (DISPATCH)
 * @param verifier        the port layer's costly verifier checks (ISR timing); misuse fails loudly either way
 * @param waitMode        how the interrupt thread and DISPATCH workers wait (default block)
 * @param threadPlacement CPU and SCHED_FIFO per port-thread role (default none)
 * @param registerCounts  where to count register accesses, or null (the default) to count nothing
 * @param completion      how completions are detected (default {@link CompletionMode#INTERRUPT}, or the
 *                        system property {@code jahci.completion}; see docs/latency-completion.md)
 * @param deviceReadyMillis how long a disk may keep PxTFD.BSY after power-up or COMRESET before bring-up
 *                        gives up on it (twice, with a COMRESET between); default {@link Timeouts#DEFAULT}'s
 */
public record OpenOptions(boolean allowWrite, boolean syncWithIsr, boolean verifier, WaitMode waitMode,
        ThreadPlacement threadPlacement, RegisterCounts registerCounts, CompletionMode completion,
        long deviceReadyMillis) {
    public OpenOptions {
        Objects.requireNonNull(waitMode, "waitMode");
        Objects.requireNonNull(threadPlacement, "threadPlacement");
        Objects.requireNonNull(completion, "completion");
        if (deviceReadyMillis <= 0) {
            throw new IllegalArgumentException("deviceReadyMillis must be positive, not " + deviceReadyMillis);
        }
    }

    public static OpenOptions readOnly() {
        return new OpenOptions(false, true, Boolean.getBoolean("jahci.verifier"), WaitMode.BLOCK,
                ThreadPlacement.none(), null, new PortDriverOptions().completionMode(),
                Timeouts.DEFAULT.deviceReadyMillis());
    }

    public static OpenOptions readWrite() {
        return readOnly().withAllowWrite(true);
    }

    public OpenOptions withAllowWrite(boolean allow) {
        return with(o -> o.allowWrite = allow);
    }

    public OpenOptions withSyncWithIsr(boolean sync) {
        return with(o -> o.syncWithIsr = sync);
    }

    public OpenOptions withVerifier(boolean on) {
        return with(o -> o.verifier = on);
    }

    public OpenOptions withWaitMode(WaitMode mode) {
        return with(o -> o.waitMode = mode);
    }

    public OpenOptions withThreadPlacement(ThreadPlacement placement) {
        return with(o -> o.threadPlacement = placement);
    }

    /** Counts every register access into {@code counts} (a benchmark's accounting); null counts nothing. */
    public OpenOptions withRegisterCounts(RegisterCounts counts) {
        return with(o -> o.registerCounts = counts);
    }

    public OpenOptions withCompletion(CompletionMode mode) {
        return with(o -> o.completion = mode);
    }

    /** How long a disk may take to spin up (see {@link #deviceReadyMillis}). */
    public OpenOptions withDeviceReadyMillis(long millis) {
        return with(o -> o.deviceReadyMillis = millis);
    }

    /** The miniport's configuration these options stand for. */
    AhciHba.Config hbaConfig() {
        return new AhciHba.Config(AhciPortOptions.DEFAULT.withTimeouts(
                AhciPortOptions.DEFAULT.timeouts().withDeviceReadyMillis(deviceReadyMillis)), syncWithIsr, new PortDriverOptions().verifier(verifier)
                .waitMode(waitMode).threadPlacement(threadPlacement).completionMode(completion));
    }

    /** The one copy path of every {@code with} method: these options with one change. */
    private OpenOptions with(Consumer<Editable> change) {
        Editable copy = new Editable(this);
        change.accept(copy);
        return copy.build();
    }

    /** The components as fields a {@code with} method can set. */
    private static final class Editable {
        boolean allowWrite;
        boolean syncWithIsr;
        boolean verifier;
        WaitMode waitMode;
        ThreadPlacement threadPlacement;
        RegisterCounts registerCounts;
        CompletionMode completion;
        long deviceReadyMillis;

        Editable(OpenOptions o) {
            allowWrite = o.allowWrite;
            syncWithIsr = o.syncWithIsr;
            verifier = o.verifier;
            waitMode = o.waitMode;
            threadPlacement = o.threadPlacement;
            registerCounts = o.registerCounts;
            completion = o.completion;
            deviceReadyMillis = o.deviceReadyMillis;
        }

        OpenOptions build() {
            return new OpenOptions(allowWrite, syncWithIsr, verifier, waitMode, threadPlacement, registerCounts,
                    completion, deviceReadyMillis);
        }
    }
}
