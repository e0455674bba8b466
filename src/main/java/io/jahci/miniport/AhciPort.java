package io.jahci.miniport;

import io.jahci.ahci.AtaCommand;
import io.jahci.ahci.AtaStatus;
import io.jahci.ahci.CommandHeader;
import io.jahci.ahci.CommandTable;
import io.jahci.ahci.DeviceSignature;
import io.jahci.ahci.IdentifyData;
import io.jahci.ahci.PortCmd;
import io.jahci.ahci.PortIs;
import io.jahci.ahci.PortRegister;
import io.jahci.ahci.PortSctl;
import io.jahci.ahci.PortSsts;
import io.jahci.ahci.PortTfd;
import io.jahci.ahci.PrdTable;
import io.jahci.ahci.ReceivedFis;
import io.jahci.ahci.RegisterH2DFis;
import io.jahci.hw.DmaMemory;
import io.jahci.hw.RegisterWindow;
import io.jahci.hw.Transport;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One AHCI port: its DMA structures, its link and device, and the commands it runs.
 *
 * <pre>
 *                start()
 *   STOPPED ───────────────► spin up, wait PxSSTS.DET=3 (COMRESET once if not, §10.4.2),
 *      ▲                     wait PxTFD BSY/DRQ clear, read PxSIG, set PxCMD.ST (§10.3.1)
 *      │                       │ no link          │ not ATA           │ ATA disk
 *      │ stop()                ▼                  ▼                   ▼
 *      ├──────────────── NO_DEVICE      UNSUPPORTED_DEVICE          READY ◄─────────────┐
 *      │                                                              │ issue: PxCI bit │ PxCI bit clear,
 *      │                                                              ▼                 │ no error
 *      │                                                             BUSY ──────────────┘
 *      │                                                              │ PxIS error bit (§6.1) or timeout
 *      │                                                              ▼
 *      │                                  RECOVERING: clear ST, wait CR; clear PxSERR, PxIS;
 *      │                                  COMRESET if BSY/DRQ stay set; set ST (§6.2.2.1)
 *      │                                        │ device not back           │ back
 *      └──────────────────────────────────── FAILED                      READY (command fails)
 * </pre>
 *
 * <p>Locking: one command at a time per port, under {@link #ioLock} (taken by the caller's
 * thread). {@link #handleInterrupt()} runs on the interrupt thread and hands the completion to the
 * waiting caller without locks. Register history is recorded on both sides.
 */
public final class AhciPort {
    /** The slot used for non-queued commands. */
    private static final int SLOT = 0;
    /** Interrupts this port enables (PxIE, §3.3.6): completions, errors and link changes. */
    private static final int INTERRUPT_ENABLE = PortIs.DHRS.mask() | PortIs.PSS.mask() | PortIs.DSS.mask()
            | PortIs.SDBS.mask() | PortIs.UFS.mask() | PortIs.DPS.mask() | PortIs.PCS.mask() | PortIs.PRCS.mask()
            | PortIs.ERROR_MASK;
    /** Layout of the port's structure block: command list, received FIS, then the command tables. */
    private static final int LIST_OFFSET = 0;
    private static final int FIS_OFFSET = CommandHeader.LIST_SIZE;
    private static final int TABLE_OFFSET = FIS_OFFSET + ReceivedFis.SIZE;

    private final String device;
    private final int number;
    private final RegisterWindow regs;
    private final HbaCapabilities caps;
    private final PortOptions options;
    private final RegisterHistory history = new RegisterHistory();
    private final ReentrantLock ioLock = new ReentrantLock();
    private final DmaMemory structures;
    private final DmaMemory bounce;
    private final PrdTable.BusMap bounceMap;
    private final int prdEntries;
    private final int maxSectorsPerCommand;

    private volatile PortState state = PortState.STOPPED;
    private DeviceSignature signature = DeviceSignature.UNKNOWN;
    private IdentifyData identity;
    private int sectorSize = 512;
    private long commandsIssued;
    private long prdEntriesIssued;

    // Completion hand-off, written by the interrupt thread, read by the waiting caller.
    private volatile Thread waiter;
    private volatile boolean completed;
    private volatile int errorStatus;

    AhciPort(String device, int number, Transport transport, HbaCapabilities caps, PortOptions options)
            throws IOException {
        this.device = device;
        this.number = number;
        this.regs = transport.abar();
        this.caps = caps;
        this.options = options;
        this.prdEntries = options.prdEntriesPerCommand();
        this.structures = transport.allocateDma(TABLE_OFFSET + CommandTable.size(prdEntries), CommandHeader.LIST_ALIGNMENT);
        this.bounce = transport.allocateDma(options.bounceBufferBytes(), 4096);
        this.bounceMap = new PrdTable.BusMap() {
            @Override
            public long busAddress(long offset) {
                return bounce.busAddress(offset);
            }

            @Override
            public long contiguousBytes(long offset) {
                return bounce.contiguousBytes(offset);
            }
        };
        this.maxSectorsPerCommand = (int) Math.min(RegisterH2DFis.MAX_SECTORS_EXT,
                Math.min(options.bounceBufferBytes(), (long) prdEntries * options.maxPrdEntryBytes()) / 512);
        checkAddressable(structures);
        checkAddressable(bounce);
    }

    /** Without CAP.S64A the upper address registers must stay zero (§3.3.2, §3.3.4). */
    private void checkAddressable(DmaMemory memory) throws PortException {
        if (!caps.supports64BitAddresses() && memory.busAddress(memory.size() - 1) >>> 32 != 0) {
            throw new PortException(where() + ": the transport gave DMA memory above 4 GiB to a 32-bit HBA");
        }
    }

    public int number() {
        return number;
    }

    public PortState state() {
        return state;
    }

    public DeviceSignature signature() {
        return signature;
    }

    /** The device's IDENTIFY DEVICE data, or null when the port has no ATA disk. */
    public IdentifyData identity() {
        return identity;
    }

    public int sectorSize() {
        return sectorSize;
    }

    /** The register history, for diagnostics. */
    public String history() {
        return history.dump();
    }

    // ---------------------------------------------------------------- register access

    private int read(PortRegister reg) {
        return regs.read32(reg.offset(number));
    }

    private void write(PortRegister reg, int value) {
        regs.write32(reg.offset(number), value);
    }

    private void snapshot(RegisterHistory.Event event) {
        history.record(event, read(PortRegister.IS), read(PortRegister.CMD), read(PortRegister.TFD),
                read(PortRegister.SSTS), read(PortRegister.SERR), read(PortRegister.CI), read(PortRegister.SACT));
    }

    private String where() {
        return device + " port " + number;
    }

    // ---------------------------------------------------------------- bring-up

    /**
     * Puts the port in a known idle state and programs its DMA structures (§10.1.2 steps 3, 5, 6).
     * Runs on the caller's thread before interrupts are enabled.
     */
    void initialize() throws PortException {
        stopEngines();
        long list = structures.busAddress(LIST_OFFSET);
        long fis = structures.busAddress(FIS_OFFSET);
        write(PortRegister.CLB, (int) list);
        write(PortRegister.CLBU, (int) (list >>> 32));
        write(PortRegister.FB, (int) fis);
        write(PortRegister.FBU, (int) (fis >>> 32));
        write(PortRegister.CMD, read(PortRegister.CMD) | PortCmd.FRE.mask());
        write(PortRegister.SERR, 0xffff_ffff);
        write(PortRegister.IS, 0xffff_ffff);
    }

    /**
     * Brings the link up, waits for the device, reads its signature and starts the command engine
     * (§10.1.2, §10.3.1). Runs on the caller's thread; interrupts may be enabled.
     */
    void start() throws PortException {
        int cmd = read(PortRegister.CMD);
        if (caps.supportsStaggeredSpinUp() || PortCmd.CPD.isSet(cmd)) {
            write(PortRegister.CMD, cmd | PortCmd.SUD.mask() | PortCmd.POD.mask());
        }
        if (!waitForLink() && !(comreset() && waitForLink())) {
            state = PortState.NO_DEVICE;
            snapshot(RegisterHistory.Event.START);
            return;
        }
        if (!waitForDeviceReady() && !(comreset() && waitForLink() && waitForDeviceReady())) {
            snapshot(RegisterHistory.Event.ERROR);
            state = PortState.FAILED;
            throw new PortException(where() + ": the device stays busy (PxTFD " + PortTfd.describe(read(PortRegister.TFD))
                    + ") after COMRESET; check the cable and power, or try another port.\n" + history.dump());
        }
        signature = DeviceSignature.of(read(PortRegister.SIG));
        write(PortRegister.SERR, 0xffff_ffff);
        write(PortRegister.IS, 0xffff_ffff);
        write(PortRegister.IE, INTERRUPT_ENABLE);
        startEngine();
        snapshot(RegisterHistory.Event.START);
        state = signature == DeviceSignature.ATA ? PortState.READY : PortState.UNSUPPORTED_DEVICE;
    }

    /** Reads IDENTIFY DEVICE (ACS-3 §7.12) and takes the sector size from it. */
    void identify() throws PortException {
        ioLock.lock();
        try {
            execute(AtaCommand.IDENTIFY_DEVICE, 0, 0, false, IdentifyData.SIZE);
            identity = IdentifyData.parse(bounce.buffer(), 0);
            sectorSize = identity.logicalSectorSize();
        } finally {
            ioLock.unlock();
        }
    }

    /**
     * Waits for PxSSTS.DET=3. Gives up early when DET stays 0 (nothing attached) for
     * {@link Timeouts#presenceMillis()}, so empty ports cost little.
     */
    private boolean waitForLink() {
        long start = System.nanoTime();
        long presenceNanos = options.timeouts().presenceMillis() * 1_000_000L;
        Poll.until(options.timeouts().linkUpMillis(), () -> {
            int det = PortSsts.DET.get(read(PortRegister.SSTS));
            return det == PortSsts.DET_PRESENT_PHY
                    || det == PortSsts.DET_NONE && System.nanoTime() - start > presenceNanos;
        });
        return PortSsts.DET.get(read(PortRegister.SSTS)) == PortSsts.DET_PRESENT_PHY;
    }

    private boolean waitForDeviceReady() {
        int busy = PortTfd.STS_BSY.mask() | PortTfd.STS_DRQ.mask();
        return Poll.until(options.timeouts().deviceReadyMillis(), () -> (read(PortRegister.TFD) & busy) == 0);
    }

    /**
     * COMRESET (§10.4.2): with ST clear, hold PxSCTL.DET=1 for at least 1 ms, release it, wait for
     * the link. Returns whether the link came back.
     */
    private boolean comreset() throws PortException {
        stopCommandEngine();
        int sctl = read(PortRegister.SCTL);
        write(PortRegister.SCTL, PortSctl.DET.with(sctl, PortSctl.DET_COMRESET));
        Poll.sleepMillis(options.timeouts().comresetHoldMillis());
        write(PortRegister.SCTL, PortSctl.DET.with(sctl, PortSctl.DET_NO_ACTION));
        boolean up = waitForLink();
        write(PortRegister.SERR, 0xffff_ffff);
        snapshot(RegisterHistory.Event.COMRESET);
        return up;
    }

    /** Sets PxCMD.ST once the device is idle (§10.3.1: FRE set, BSY and DRQ clear, DET=3). */
    private void startEngine() {
        write(PortRegister.CMD, read(PortRegister.CMD) | PortCmd.FRE.mask() | PortCmd.ST.mask());
    }

    /** Clears ST and waits for CR (§10.3.2). */
    private void stopCommandEngine() throws PortException {
        int cmd = read(PortRegister.CMD);
        if (PortCmd.ST.isSet(cmd)) {
            write(PortRegister.CMD, cmd & ~PortCmd.ST.mask());
        }
        if (!Poll.until(options.timeouts().portStopMillis(), () -> !PortCmd.CR.isSet(read(PortRegister.CMD)))) {
            throw stuck("PxCMD.CR stays set after clearing ST");
        }
    }

    /** Puts the port in the idle state: ST, CR, FRE, FR all clear (§10.1.2 step 3). */
    private void stopEngines() throws PortException {
        stopCommandEngine();
        int cmd = read(PortRegister.CMD);
        if (PortCmd.FRE.isSet(cmd)) {
            write(PortRegister.CMD, cmd & ~PortCmd.FRE.mask());
        }
        if (!Poll.until(options.timeouts().portStopMillis(), () -> !PortCmd.FR.isSet(read(PortRegister.CMD)))) {
            throw stuck("PxCMD.FR stays set after clearing FRE");
        }
    }

    private PortException stuck(String what) {
        snapshot(RegisterHistory.Event.ERROR);
        state = PortState.FAILED;
        return new PortException(where() + ": " + what + " within " + options.timeouts().portStopMillis()
                + " ms (AHCI 1.3.1 §10.1.2); the controller does not answer: reset it (unbind and rebind) "
                + "or power-cycle the machine.\n" + history.dump());
    }

    /** Stops the port: interrupts off, command and FIS engines stopped. Caller's thread. */
    void stop() throws PortException {
        ioLock.lock();
        try {
            write(PortRegister.IE, 0);
            stopEngines();
            write(PortRegister.IS, 0xffff_ffff);
            snapshot(RegisterHistory.Event.STOP);
            state = PortState.STOPPED;
        } finally {
            ioLock.unlock();
        }
    }

    void release() {
        bounce.close();
        structures.close();
    }

    // ---------------------------------------------------------------- I/O

    /**
     * Reads or writes {@code data.remaining()} bytes at {@code lba}, split into commands of at most
     * {@link #maxSectorsPerCommand()} sectors. Runs on the caller's thread; blocks until done.
     * The caller has checked the range against the disk's capacity and the buffer's length.
     */
    public void transfer(boolean isWrite, long lba, ByteBuffer data) throws PortException {
        ioLock.lock();
        try {
            checkReady();
            int base = data.position();
            int total = data.remaining() / sectorSize;
            int done = 0;
            while (done < total) {
                int sectors = Math.min(maxSectorsPerCommand, total - done);
                int bytes = sectors * sectorSize;
                int at = base + done * sectorSize;
                if (isWrite) {
                    bounce.buffer().put(0, data, at, bytes);
                }
                execute(commandFor(isWrite), lba + done, sectors, isWrite, bytes);
                if (!isWrite) {
                    data.put(at, bounce.buffer(), 0, bytes);
                }
                done += sectors;
            }
        } finally {
            ioLock.unlock();
        }
    }

    /** FLUSH CACHE EXT (or FLUSH CACHE on a 28-bit device), ACS-3 §7.10 and §7.9. */
    public void flush() throws PortException {
        ioLock.lock();
        try {
            checkReady();
            execute(identity.lba48() ? AtaCommand.FLUSH_CACHE_EXT : AtaCommand.FLUSH_CACHE, 0, 0, false, 0);
        } finally {
            ioLock.unlock();
        }
    }

    /** Commands issued since start (under {@link #ioLock}; read after the I/O that interests you). */
    public long commandsIssued() {
        return commandsIssued;
    }

    /** PRD entries those commands carried. */
    public long prdEntriesIssued() {
        return prdEntriesIssued;
    }

    public int maxSectorsPerCommand() {
        return maxSectorsPerCommand;
    }

    private int commandFor(boolean isWrite) {
        if (identity.lba48()) {
            return isWrite ? AtaCommand.WRITE_DMA_EXT : AtaCommand.READ_DMA_EXT;
        }
        return isWrite ? AtaCommand.WRITE_DMA : AtaCommand.READ_DMA;
    }

    private void checkReady() throws PortException {
        if (state != PortState.READY) {
            throw new PortException(where() + " is " + state + ", not READY: "
                    + (state == PortState.NO_DEVICE ? "no disk is attached" : "restart the controller") + ".");
        }
    }

    /**
     * Builds the command in slot 0 (FIS, PRDs over the bounce buffer, header), rings the doorbell
     * and waits for the interrupt thread to report completion. Holds {@link #ioLock}.
     */
    private void execute(int command, long lba, int sectors, boolean isWrite, int bytes) throws PortException {
        ByteBuffer mem = structures.buffer();
        int table = TABLE_OFFSET;
        int fis = table + CommandTable.CFIS;
        switch (command) {
            case AtaCommand.READ_DMA_EXT -> RegisterH2DFis.readDmaExt(mem, fis, lba, sectors);
            case AtaCommand.WRITE_DMA_EXT -> RegisterH2DFis.writeDmaExt(mem, fis, lba, sectors);
            case AtaCommand.READ_DMA -> RegisterH2DFis.readDma(mem, fis, lba, sectors);
            case AtaCommand.WRITE_DMA -> RegisterH2DFis.writeDma(mem, fis, lba, sectors);
            case AtaCommand.IDENTIFY_DEVICE -> RegisterH2DFis.identifyDevice(mem, fis);
            case AtaCommand.FLUSH_CACHE_EXT -> RegisterH2DFis.flushCacheExt(mem, fis);
            case AtaCommand.FLUSH_CACHE -> RegisterH2DFis.flushCache(mem, fis);
            default -> throw new IllegalArgumentException("unsupported command " + AtaCommand.name(command));
        }
        int prds = bytes == 0 ? 0 : PrdTable.build(mem, table + CommandTable.PRDT, prdEntries, bounceMap, 0, bytes,
                options.maxPrdEntryBytes());
        CommandHeader.write(mem, LIST_OFFSET, SLOT, RegisterH2DFis.LENGTH_DWORDS, isWrite, false, false, false, prds,
                structures.busAddress(table));

        commandsIssued++;
        prdEntriesIssued += prds;
        completed = false;
        errorStatus = 0;
        waiter = Thread.currentThread();
        state = PortState.BUSY;
        VarHandle.releaseFence();
        write(PortRegister.CI, 1 << SLOT);
        history.record(RegisterHistory.Event.ISSUE, -1, -1, -1, -1, -1, 1 << SLOT, -1);

        long deadline = System.nanoTime() + options.timeouts().commandMillis() * 1_000_000L;
        while (!completed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                waiter = null;
                timedOut(command, lba, sectors);
            }
            LockSupport.parkNanos(this, left);
        }
        waiter = null;
        if (errorStatus != 0) {
            failed(command, lba, sectors, errorStatus);
        }
        state = PortState.READY;
    }

    /**
     * The port's part of the ISR: reads and clears PxIS, finds whether the command finished, wakes
     * the caller. Runs on the interrupt thread; allocates nothing.
     *
     * @return whether this port had anything pending
     */
    boolean handleInterrupt() {
        int is = read(PortRegister.IS);
        if (is == 0) {
            return false;
        }
        write(PortRegister.IS, is);
        int ci = read(PortRegister.CI);
        history.record(RegisterHistory.Event.INTERRUPT, is, -1, -1, -1, -1, ci, -1);
        if ((is & PortIs.ERROR_MASK) != 0) {
            errorStatus = is;
            wake();
        } else if (waiter != null && (ci & (1 << SLOT)) == 0) {
            wake();
        }
        return true;
    }

    private void wake() {
        completed = true;
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** A PxIS error bit was set: recover the port, then fail the command with what the device said. */
    private void failed(int command, long lba, int sectors, int is) throws PortException {
        int tfd = read(PortRegister.TFD);
        snapshot(RegisterHistory.Event.ERROR);
        int status = PortTfd.STS.get(tfd);
        int error = PortTfd.ERR.get(tfd);
        String recovery = recover();
        String range = sectors == 0 ? "" : ", LBA " + lba + ".." + (lba + sectors - 1) + " (" + sectors + " sectors)";
        String message = where() + ": " + AtaCommand.name(command) + range + " failed: "
                + PortIs.describe(is) + ", ATA status " + AtaStatus.describe(status) + ", error "
                + AtaStatus.describeError(error) + ". " + advice(error) + " " + recovery + "\n" + history.dump();
        if ((is & PortIs.TFES.mask()) != 0) {
            throw new AtaCommandException(message, status, error, lba, sectors);
        }
        throw new PortException(message);
    }

    private static String advice(int error) {
        if (AtaStatus.UNC.isSet(error)) {
            return "The medium could not be read there (UNC): those sectors are bad; rewrite them or replace the disk.";
        }
        if (AtaStatus.IDNF.isSet(error)) {
            return "The device did not find that address (IDNF): check the LBA against the disk's capacity.";
        }
        if (AtaStatus.ABRT.isSet(error)) {
            return "The device aborted the command (ABRT): it may not support it, or the medium failed.";
        }
        return "Check the disk's SMART data and cabling.";
    }

    private void timedOut(int command, long lba, int sectors) throws PortException {
        snapshot(RegisterHistory.Event.TIMEOUT);
        String recovery = recover();
        throw new PortException(where() + ": " + AtaCommand.name(command) + " at LBA " + lba + " (" + sectors
                + " sectors) did not complete within " + options.timeouts().commandMillis()
                + " ms; the controller stopped answering. " + recovery + "\n" + history.dump());
    }

    /**
     * Non-queued error recovery (§6.2.2.1): stop the command engine, clear PxSERR and PxIS,
     * COMRESET when the device stays busy, restart. Holds {@link #ioLock}. Returns a sentence for
     * the error message saying how the port ended up.
     */
    private String recover() throws PortException {
        state = PortState.RECOVERING;
        try {
            stopCommandEngine();
            write(PortRegister.SERR, 0xffff_ffff);
            write(PortRegister.IS, 0xffff_ffff);
            int busy = PortTfd.STS_BSY.mask() | PortTfd.STS_DRQ.mask();
            if ((read(PortRegister.TFD) & busy) != 0 && !(comreset() && waitForDeviceReady())) {
                state = PortState.FAILED;
                snapshot(RegisterHistory.Event.ERROR);
                return "The port could not be recovered (device busy after COMRESET): restart the controller.";
            }
            startEngine();
            snapshot(RegisterHistory.Event.RECOVERED);
            state = PortState.READY;
            return "The port was recovered and accepts new commands.";
        } catch (PortException e) {
            state = PortState.FAILED;
            throw e;
        }
    }
}
