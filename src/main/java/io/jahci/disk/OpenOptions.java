package io.jahci.disk;

import io.jahci.ataport.CompletionMode;
import io.jahci.ataport.PortDriverOptions;
import io.jahci.ataport.ThreadPlacement;
import io.jahci.ataport.WaitMode;
import io.jahci.hw.RegisterCounts;
import io.jahci.miniport.AhciHba;
import io.jahci.miniport.AhciPortOptions;
import io.jahci.miniport.Timeouts;
import io.jahci.platform.NativeException;

import java.time.Duration;

/**
 * How to open a controller, immutable: {@link #readOnly()}, {@link #readWrite()}, or
 * {@link #builder()} to change what differs. Each port gets the miniport's default tunables (1 MiB
 * DMA buffer and 256 PRD entries per command, queue depth 32, NCQ when HBA and disk support it).
 *
 * <p>Built, not constructed, so that a new option is a new builder method and no caller breaks.
 * The public methods take JDK types only: the port layer's scheduling settings are given in the
 * words of the CLI's global options ({@code --completion}, {@code --wait}, {@code --pin},
 * {@code --rt-priority}; README.md, docs/latency.md) and parsed by the port layer, so its classes
 * stay out of the API. Any thread.
 */
public final class OpenOptions {
    private final boolean allowWrite;
    private final boolean syncWithIsr;
    private final boolean verifier;
    private final WaitMode waitMode;
    private final String pin;
    private final int rtPriority;
    private final RegisterCounts registerCounts;
    private final CompletionMode completion;
    private final long deviceReadyMillis;

    private OpenOptions(Builder b) {
        allowWrite = b.allowWrite;
        syncWithIsr = b.syncWithIsr;
        verifier = b.verifier;
        waitMode = b.waitMode;
        pin = b.pin;
        rtPriority = b.rtPriority;
        registerCounts = b.registerCounts;
        completion = b.completion;
        deviceReadyMillis = b.deviceReadyMillis;
    }

    /** A builder with the defaults: read-only, SyncWithIsr on, completions by interrupt, threads unpinned. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: jahci reads, and refuses writes, unless told to write. */
    public static OpenOptions readOnly() {
        return builder().build();
    }

    /** The defaults with writes allowed. */
    public static OpenOptions readWrite() {
        return builder().allowWrite(true).build();
    }

    /** A builder holding these options, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.allowWrite = allowWrite;
        b.syncWithIsr = syncWithIsr;
        b.verifier = verifier;
        b.waitMode = waitMode;
        b.pin = pin;
        b.rtPriority = rtPriority;
        b.registerCounts = registerCounts;
        b.completion = completion;
        b.deviceReadyMillis = deviceReadyMillis;
        return b;
    }

    /** Whether {@link Disk#write}, {@link Disk#flush} and {@link Disk#trim} may run. */
    public boolean allowWrite() {
        return allowWrite;
    }

    /** Where register accesses are counted, or null. */
    RegisterCounts registerCounts() {
        return registerCounts;
    }

    /**
     * The miniport's configuration these options stand for; the thread placement is checked against
     * the CPUs this process may run on here. PASSIVE.
     */
    AhciHba.Config hbaConfig() throws NativeException {
        ThreadPlacement placement = pin == null && rtPriority == 0 ? ThreadPlacement.none()
                : ThreadPlacement.checked(pin == null ? java.util.Map.of() : ThreadPlacement.parsePins(pin), rtPriority);
        return new AhciHba.Config(AhciPortOptions.DEFAULT.withTimeouts(
                AhciPortOptions.DEFAULT.timeouts().withDeviceReadyMillis(deviceReadyMillis)), syncWithIsr,
                new PortDriverOptions().verifier(verifier).waitMode(waitMode).threadPlacement(placement)
                        .completionMode(completion));
    }

    @Override
    public String toString() {
        return (allowWrite ? "read-write" : "read-only") + ", sync-with-isr " + syncWithIsr + ", verifier "
                + verifier + ", completion " + completion.name().toLowerCase(java.util.Locale.ROOT) + ", wait "
                + waitMode + (pin == null ? "" : ", pin " + pin) + (rtPriority == 0 ? "" : ", rt-priority " + rtPriority)
                + ", device ready within " + deviceReadyMillis + " ms" + (registerCounts == null ? "" : ", counting registers");
    }

    /** Collects options; {@link #build()} may be called again after more changes. Not thread safe. */
    public static final class Builder {
        private boolean allowWrite;
        private boolean syncWithIsr = true;
        private boolean verifier = Boolean.getBoolean("jahci.verifier");
        private WaitMode waitMode = WaitMode.BLOCK;
        private String pin;
        private int rtPriority;
        private RegisterCounts registerCounts;
        private CompletionMode completion = new PortDriverOptions().completionMode();
        private long deviceReadyMillis = Timeouts.DEFAULT.deviceReadyMillis();

        private Builder() {}

        /** Whether writes, flushes and trims may run (default false: jahci reads unless told to write). */
        public Builder allowWrite(boolean allow) {
            allowWrite = allow;
            return this;
        }

        /**
         * The port model's SyncWithIsr (default true; docs/port-layer.md): StartIo, Initialize and Reset
         * run under the interrupt lock (DIRQL) or without it (DISPATCH).
         */
        public Builder syncWithIsr(boolean sync) {
            syncWithIsr = sync;
            return this;
        }

        /**
         * The port layer's costly verifier checks (ISR timing); misuse fails loudly either way. Default:
         * the system property {@code jahci.verifier}.
         */
        public Builder verifier(boolean on) {
            verifier = on;
            return this;
        }

        /**
         * How completions are detected: {@code interrupt}, {@code hybrid} or {@code poll}
         * (docs/latency-completion.md). Default {@code interrupt}, or the system property
         * {@code jahci.completion}.
         *
         * @throws IllegalArgumentException naming the mode and the ones there are
         */
        public Builder completion(String mode) {
            completion = CompletionMode.parse(mode);
            return this;
        }

        /**
         * How the interrupt thread and DISPATCH workers wait: {@code block} (default), {@code spin},
         * {@code hybrid} or {@code hybrid:MICROS} (docs/latency.md).
         *
         * @throws IllegalArgumentException naming the value and the forms there are
         */
        public Builder waitMode(String mode) {
            waitMode = WaitMode.parse(mode);
            return this;
        }

        /**
         * CPU per port-thread role, {@code ROLE=CPU[,ROLE=CPU...]} (roles irq, dispatch, workitem, timer;
         * null: none), and SCHED_FIFO priority 1..99 for them (0: the normal policy). Checked against
         * the CPUs this process may run on when the controller opens.
         */
        public Builder threadPlacement(String pin, int rtPriority) {
            if (rtPriority < 0 || rtPriority > 99) {
                throw new IllegalArgumentException("rtPriority must be 1..99 (SCHED_FIFO) or 0, not " + rtPriority);
            }
            this.pin = pin == null || pin.isBlank() ? null : pin;
            this.rtPriority = rtPriority;
            return this;
        }

        /**
         * Counts every register access into {@code counts} (a benchmark's accounting, io.jahci.hw);
         * null (the default) counts nothing.
         */
        public Builder countRegisterAccesses(RegisterCounts counts) {
            registerCounts = counts;
            return this;
        }

        /**
         * How long a disk may keep PxTFD.BSY after power-up or COMRESET before bring-up gives up on it
         * (twice, with a COMRESET between); default {@link Timeouts#DEFAULT}'s.
         */
        public Builder deviceReadyTimeout(Duration timeout) {
            long millis = timeout.toMillis();
            if (millis <= 0) {
                throw new IllegalArgumentException("deviceReadyTimeout must be positive, not " + timeout);
            }
            deviceReadyMillis = millis;
            return this;
        }

        public OpenOptions build() {
            return new OpenOptions(this);
        }
    }
}
