package io.jahci.bench;

import io.jahci.ataport.Channel;
import io.jahci.ataport.InterruptConnection;
import io.jahci.ataport.IoRequest;
import io.jahci.ataport.LatencyProbe;
import io.jahci.ataport.PortDriverOptions;
import io.jahci.disk.DeviceSpec;
import io.jahci.disk.Transports;
import io.jahci.hw.RegisterCounts;
import io.jahci.hw.Transport;
import io.jahci.miniport.AhciHba;
import io.jahci.miniport.AhciPort;
import io.jahci.miniport.AhciPortOptions;
import io.jahci.miniport.PortState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.IntConsumer;

/**
 * {@code jahci --device SPEC bench irq}: real command completions as the stimulus. A 1-sector READ
 * DMA EXT goes through the real AHCI miniport on the first disk, one at a time (QD1), and a
 * {@link LatencyProbe} on the port layer stamps when the interrupt thread woke, when the ISR was
 * entered and when the completion was dispatched on a DISPATCH worker. Latency is measured from
 * the issue stamp the bench takes just before the READ is handed to the port (so it includes
 * BuildIo and StartIo: writing the command header and ringing PxCI).
 *
 * <p>Closed loop: a READ is issued when the previous one returned, so there is no schedule to fall
 * behind and no coordinated omission to correct; intended = issue.
 *
 * <p>Over the QEMU transport every register access is a qtest socket round trip (see
 * {@link Transport#registerAccessNanos()}), and the interrupt arrives as an {@code IRQ raise} line
 * on that socket that the reader thread turns into an eventfd signal: these numbers measure the
 * transport as much as the driver.
 */
public final class DeviceIrqBench implements LatencyProbe {
    /** The outcome of a device run. */
    public record Result(RawRun run, Map<String, Long> allocatedBytesByThread, List<BenchThread> threads,
            RegisterCounts.PerCommand registers, String device, long registerAccessNanos, double seconds) {
        public long allocatedBytes() {
            return allocatedBytesByThread.values().stream().mapToLong(Long::longValue).sum();
        }

        public double allocatedBytesPerEvent() {
            return run.measured() == 0 ? 0 : (double) allocatedBytes() / run.measured();
        }
    }

    private volatile long doorbell;
    private volatile long wake;
    private volatile long isrEntry;
    private volatile long completion;
    private final ThreadSet irqThreads = new ThreadSet();
    private final ThreadSet dispatchThreads = new ThreadSet();

    private DeviceIrqBench() {}

    /**
     * Opens {@code spec} with its register accesses counted, reads {@code warmup + events} single
     * sectors from the first disk, closes. {@code driver} gives the wait mode, placement and
     * dispatch threads; the verifier and the probe are set here. {@code progress} is told after each READ returned
     * how many did, warm-up included (the caller's thread, between READs).
     */
    public static Result run(String spec, int warmup, int events, boolean syncWithIsr, boolean verifier,
            PortDriverOptions driver, IntConsumer progress) throws IOException {
        DeviceIrqBench probe = new DeviceIrqBench();
        ThreadMeter meter = new ThreadMeter();
        RegisterCounts counts = new RegisterCounts();
        Transport transport = counts.install(Transports.open(DeviceSpec.parse(spec)));
        driver.verifier(verifier).latencyProbe(probe);
        try (AhciHba hba = AhciHba.open(transport, new AhciHba.Config(AhciPortOptions.DEFAULT, syncWithIsr, driver))) {
            AhciPort port = hba.ports().stream().filter(p -> p.state() == PortState.READY).findFirst()
                    .orElseThrow(() -> new NoSuchElementException(transport.describe() + " has no ATA disk to read from"));
            ByteBuffer sector = ByteBuffer.allocateDirect(port.sectorSize());
            RawRun run = new RawRun(warmup + events, Stage.DOORBELL, Stage.WAKE, Stage.ISR, Stage.WORKER,
                    Stage.RETURN);
            long[] doorbells = run.stamps.get(Stage.DOORBELL);
            long[] wakes = run.stamps.get(Stage.WAKE);
            long[] isrs = run.stamps.get(Stage.ISR);
            long[] workers = run.stamps.get(Stage.WORKER);
            long[] returns = run.stamps.get(Stage.RETURN);
            long began = System.nanoTime();
            RegisterCounts.Snapshot before = counts.snapshot();
            for (int i = 0; i < warmup + events; i++) {
                if (i == warmup) {
                    run.warmup = warmup;
                    meter.start();
                    before = counts.snapshot();
                }
                probe.doorbell = 0;
                probe.wake = 0;
                probe.isrEntry = 0;
                probe.completion = 0;
                sector.clear();
                long issue = System.nanoTime();
                port.io().transfer(false, 0, sector);
                long returned = System.nanoTime();
                run.intended[i] = issue;
                doorbells[i] = probe.doorbell;
                wakes[i] = probe.wake;
                isrs[i] = probe.isrEntry;
                workers[i] = probe.completion;
                returns[i] = returned;
                progress.accept(i + 1);
                if (doorbells[i] == 0 || wakes[i] == 0 || isrs[i] == 0 || workers[i] == 0) {
                    throw new IllegalStateException("READ " + i + " completed without the probe seeing the interrupt"
                            + " path (doorbell " + doorbells[i] + ", wake " + wakes[i] + ", ISR " + isrs[i]
                            + ", completion " + workers[i] + ")");
                }
            }
            run.total = warmup + events;
            double seconds = (System.nanoTime() - began) / 1e9;
            RegisterCounts.PerCommand registers = counts.snapshot().perCommandSince(before, events);
            List<Thread> threads = new ArrayList<>(probe.irqThreads.toList());
            threads.addAll(probe.dispatchThreads.toList());
            threads.removeIf(t -> t == Thread.currentThread()); // the caller takes its own interrupts: counted as the caller
            threads.add(Thread.currentThread());
            List<BenchThread> inForce = BenchThread.of(driver.threadPlacement().readBack(), meter.cpuNanosSince(threads));
            threads.remove(Thread.currentThread());
            return new Result(run, meter.bytesSince(threads), inForce, registers, transport.describe(),
                    transport.registerAccessNanos(), seconds);
        } finally {
            transport.close();
        }
    }

    // ---------------------------------------------------------------- probe (port threads, no allocation)

    @Override
    public void startIoReturned(Channel<?> channel, IoRequest request) {
        if (doorbell == 0) {
            doorbell = System.nanoTime();
        }
    }

    @Override
    public void interruptWake(InterruptConnection connection) {
        if (wake == 0) {
            wake = System.nanoTime();
        }
        irqThreads.add(Thread.currentThread());
    }

    /**
     * The first ISR after this READ's interrupt woke the thread: an ISR of an interrupt that woke the
     * thread before the probe was reset for this READ (a late one of the READ before) is not stamped,
     * or it would stand before this READ's wake.
     */
    @Override
    public void isrEntry(Channel<?> channel) {
        if (isrEntry == 0 && wake != 0) {
            isrEntry = System.nanoTime();
        }
    }

    @Override
    public void completionDispatch(Channel<?> channel, IoRequest request) {
        if (completion == 0) {
            completion = System.nanoTime();
        }
        dispatchThreads.add(Thread.currentThread());
    }
}
