package io.jahci.miniport;

import io.jahci.ahci.AtaCommand;
import io.jahci.ahci.Cap;
import io.jahci.ahci.DeviceSignature;
import io.jahci.ahci.Ghc;
import io.jahci.ahci.HbaRegister;
import io.jahci.ahci.PortCmd;
import io.jahci.ahci.PortIs;
import io.jahci.ahci.PortRegister;
import io.jahci.ahci.PortSctl;
import io.jahci.ahci.PortSsts;
import io.jahci.ahci.ReceivedFis;
import io.jahci.hw.RegisterWindow;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The registers of an AHCI HBA with one port (port 0), with the semantics the miniport relies on
 * (AHCI 1.3.1 §3): GHC.HR reads back 0 at once; IS, PxIS and PxSERR are write-1-to-clear, and
 * PxIS.PRCS and PCS mirror PxSERR.DIAG.N and X (§3.3.5); PxCMD.CR follows ST and FR follows FRE,
 * and clearing ST clears PxCI and PxSACT (§3.3.7, §3.3.13, §3.3.14); PxCI and PxSACT are set by
 * the driver's writes and cleared by the test, which plays the device; a non-queued command that
 * completes moved all its PRDs' bytes (PRDBC, §4.2.2).
 *
 * <p>The device side: every command the driver issues is parsed from its command table and handed
 * to the {@link #responder} (on the issuing thread, inside the driver's register write) and queued
 * for the test ({@link #nextIssued}). The responder answers {@link Reply#HOLD} to leave the command
 * to the test, which then ends it with {@link #complete}, {@link #fail}, or lets it time out. The
 * test also controls PxSSTS.DET, PxTFD and PxSIG, and raises link changes. Every change that sets
 * an enabled PxIS bit raises the interrupt (the eventfd of the {@link DoubleTransport}).
 *
 * <p>Thread safe: every method is synchronized.
 */
final class AhciRegisterDouble implements RegisterWindow {
    /** What the responder tells the double to do with an issued command. */
    enum Reply { COMPLETE, HOLD }

    /** A command the driver issued, as its command FIS says (ACS-3 field placement). */
    record Issued(int slot, int opcode, long lba, int count, boolean queued) {
        @Override
        public String toString() {
            return AtaCommand.name(opcode) + " slot " + slot + " LBA " + lba + " count " + count;
        }
    }

    private static final int PORT = 0;
    private static final int SERR_DIAG_N = 1 << 16;
    private static final int SERR_DIAG_X = 1 << 26;
    private static final int TFD_READY = 0x50;

    private final DoubleTransport transport;
    private final BlockingQueue<Issued> issued = new LinkedBlockingQueue<>();
    private final byte[] identify = identifyData(1 << 20);

    private int cap = Cap.S64A.mask() | Cap.SNCQ.mask() | (31 << 8);
    private int ghc;
    private int hbaIs;
    private final int[] port = new int[0x80 / 4];
    private int comresets;
    private int hbaResets;
    private volatile Function<Issued, Reply> responder = this::identifyOnly;
    /** What COMRESET does to PxSSTS.DET; the test may change it. */
    private int detAfterComreset = PortSsts.DET_PRESENT_PHY;
    /** What COMRESET does to PxTFD: by default the device answers ready. */
    private int taskFileAfterComreset = TFD_READY;

    AhciRegisterDouble(DoubleTransport transport) {
        this.transport = transport;
        set(PortRegister.SSTS, 0x100 | 0x10 | PortSsts.DET_PRESENT_PHY);
        set(PortRegister.TFD, TFD_READY);
        set(PortRegister.SIG, DeviceSignature.ATA.value());
    }

    // ---------------------------------------------------------------- test side

    /** Answers IDENTIFY DEVICE with {@link #identifyData} and holds everything else. */
    private Reply identifyOnly(Issued c) {
        if (c.opcode() == AtaCommand.IDENTIFY_DEVICE) {
            writeData(c.slot(), identify);
            return Reply.COMPLETE;
        }
        return Reply.HOLD;
    }

    /** Replaces how issued commands are answered (IDENTIFY still is, before {@code next} is asked). */
    void respond(Function<Issued, Reply> next) {
        responder = c -> identifyOnly(c) == Reply.COMPLETE ? Reply.COMPLETE : next.apply(c);
    }

    /** The next command issued (in issue order), waiting up to 10 s; fails the test if none comes. */
    Issued nextIssued() throws InterruptedException {
        Issued c = issued.poll(10, TimeUnit.SECONDS);
        if (c == null) {
            throw new AssertionError("the driver issued no command within 10 s");
        }
        return c;
    }

    /** Without CAP.SNCQ the HBA has no NCQ; call before the HBA is opened. */
    synchronized void withoutNcq() {
        cap &= ~Cap.SNCQ.mask();
    }

    synchronized void det(int det) {
        set(PortRegister.SSTS, PortSsts.DET.with(get(PortRegister.SSTS), det));
    }

    synchronized void detAfterComreset(int det) {
        detAfterComreset = det;
    }

    synchronized void taskFileAfterComreset(int tfd) {
        taskFileAfterComreset = tfd;
    }

    synchronized void taskFile(int tfd) {
        set(PortRegister.TFD, tfd);
    }

    synchronized void signature(int sig) {
        set(PortRegister.SIG, sig);
    }

    /** HBA resets (GHC.HR written) so far. */
    synchronized int hbaResets() {
        return hbaResets;
    }

    synchronized int comresets() {
        return comresets;
    }

    /**
     * Ends the command in {@code slot} well: a queued one with a Set Device Bits FIS (its PxSACT
     * bit cleared, PxIS.SDBS, §5.6.4), a non-queued one with a D2H Register FIS (PxCI bit cleared,
     * PxIS.DHRS). The device is ready afterwards (PxTFD 50h).
     */
    synchronized void complete(int slot) {
        int bit = 1 << slot;
        if ((get(PortRegister.SACT) & bit) != 0) {
            set(PortRegister.TFD, TFD_READY);
            set(PortRegister.SACT, get(PortRegister.SACT) & ~bit);
            set(PortRegister.CI, get(PortRegister.CI) & ~bit);
            writeFis(ReceivedFis.SDBFIS, 0xA1, TFD_READY, 0);
            raise(PortIs.SDBS.mask());
        } else {
            completeWithRegisters(slot, 0, 0);
        }
    }

    /** Ends a non-queued command with a D2H Register FIS that carries {@code lba} and {@code count}. */
    synchronized void completeWithRegisters(int slot, long lba, int count) {
        movedAll(slot);
        set(PortRegister.TFD, TFD_READY);
        set(PortRegister.CI, get(PortRegister.CI) & ~(1 << slot));
        writeFis(ReceivedFis.RFIS, 0x34, TFD_READY, 0);
        Map.Entry<ByteBuffer, Integer> fis = at(fisBase() + ReceivedFis.RFIS);
        int[] lbaBytes = {4, 5, 6, 8, 9, 10};
        for (int i = 0; i < lbaBytes.length; i++) {
            fis.getKey().put(fis.getValue() + lbaBytes[i], (byte) (lba >>> 8 * i));
        }
        fis.getKey().put(fis.getValue() + 12, (byte) count);
        fis.getKey().put(fis.getValue() + 13, (byte) (count >>> 8));
        raise(PortIs.DHRS.mask());
    }

    /**
     * Ends a PIO data-in command the way a real drive may: a PIO Setup FIS with its ending status
     * (PxIS.PSS), and no D2H Register FIS (SATA 3.x §11.6.3).
     */
    synchronized void completeWithPioSetupOnly(int slot) {
        movedAll(slot);
        set(PortRegister.TFD, TFD_READY);
        set(PortRegister.CI, get(PortRegister.CI) & ~(1 << slot));
        writeFis(ReceivedFis.PSFIS, 0x5F, TFD_READY, 0);
        raise(PortIs.PSS.mask());
    }

    /**
     * The device fails a command: PxTFD gets {@code status} (ERR set) and {@code error}, a D2H
     * Register FIS says the same, PxIS.TFES is set. PxCI and PxSACT keep their bits: the HBA stops
     * processing until software restarts it (§6.2.2).
     */
    synchronized void fail(int status, int error) {
        set(PortRegister.TFD, error << 8 | status);
        writeFis(ReceivedFis.RFIS, 0x34, status, error);
        raise(PortIs.TFES.mask());
    }

    /** The disk goes away: DET=0, PxSERR.DIAG.N, so PxIS.PRCS (§3.3.5). */
    synchronized void unplug() {
        det(PortSsts.DET_NONE);
        set(PortRegister.SERR, get(PortRegister.SERR) | SERR_DIAG_N);
        raiseIfEnabled();
    }

    /** A disk arrives: DET=3, PxSERR.DIAG.X, so PxIS.PCS. */
    synchronized void plug() {
        det(PortSsts.DET_PRESENT_PHY);
        set(PortRegister.SERR, get(PortRegister.SERR) | SERR_DIAG_X | SERR_DIAG_N);
        raiseIfEnabled();
    }

    /**
     * The HBA moved every byte the command's PRDs describe: their total goes into the header's
     * PRDBC (§4.2.2), which the driver checks against the size it asked for.
     */
    private void movedAll(int slot) {
        long table = commandTable(slot);
        int prds = header(slot).getShort(headerOffset(slot) + 2) & 0xffff;
        int total = 0;
        for (int i = 0; i < prds; i++) {
            Map.Entry<ByteBuffer, Integer> prd = at(table + 0x80 + 16L * i);
            total += (prd.getKey().getInt(prd.getValue() + 12) & 0x3f_ffff) + 1;
        }
        header(slot).putInt(headerOffset(slot) + 4, total);
    }

    /** Copies {@code data} into the command's PRD buffers (§4.2.3.3). */
    synchronized void writeData(int slot, byte[] data) {
        long table = commandTable(slot);
        int prds = header(slot).getShort(headerOffset(slot) + 2) & 0xffff;
        int done = 0;
        for (int i = 0; i < prds && done < data.length; i++) {
            Map.Entry<ByteBuffer, Integer> prd = at(table + 0x80 + 16L * i);
            long dba = prd.getKey().getInt(prd.getValue()) & 0xffff_ffffL
                    | (long) prd.getKey().getInt(prd.getValue() + 4) << 32;
            int bytes = (prd.getKey().getInt(prd.getValue() + 12) & 0x3f_ffff) + 1;
            int n = Math.min(bytes, data.length - done);
            Map.Entry<ByteBuffer, Integer> target = at(dba);
            target.getKey().put(target.getValue(), data, done, n);
            done += n;
        }
    }

    /** IDENTIFY DEVICE data of an LBA48 disk with NCQ (depth 32), FUA and 512-byte sectors. */
    static byte[] identifyData(long sectors) {
        ByteBuffer b = ByteBuffer.allocate(512).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        String model = "JAHCI REGISTER DOUBLE                   ";
        for (int i = 0; i < 20; i++) {
            b.putShort(2 * (27 + i), (short) (model.charAt(2 * i) << 8 | model.charAt(2 * i + 1)));
        }
        b.putShort(2 * 60, (short) sectors);
        b.putShort(2 * 61, (short) (sectors >>> 16));
        b.putShort(2 * 75, (short) 31);
        b.putShort(2 * 76, (short) 0x0106);
        b.putShort(2 * 83, (short) 0x6400);
        b.putShort(2 * 84, (short) 0x4040);
        b.putShort(2 * 100, (short) sectors);
        b.putShort(2 * 101, (short) (sectors >>> 16));
        return b.array();
    }

    // ---------------------------------------------------------------- driver side (RegisterWindow)

    private long pxIsReads;

    @Override
    public synchronized int read32(int offset) {
        if (offset < PortRegister.CLB.offset(PORT)) {
            return switch (hbaRegister(offset)) {
                case CAP -> cap;
                case GHC -> ghc;
                case IS -> hbaIs;
                case PI -> 1;
                case VS -> 0x0001_0300;
                default -> 0;
            };
        }
        PortRegister reg = portRegister(offset);
        if (reg == PortRegister.IS) {
            pxIsReads++;
            return portIs();
        }
        return get(reg);
    }

    /** How often the driver has read PxIS (the ISR, and a completion poll's register work). */
    synchronized long pxIsReads() {
        return pxIsReads;
    }

    @Override
    public synchronized void write32(int offset, int value) {
        if (offset < PortRegister.CLB.offset(PORT)) {
            switch (hbaRegister(offset)) {
                case GHC -> {
                    ghc = value & ~Ghc.HR.mask();
                    if (Ghc.HR.isSet(value)) {   // HBA reset (§10.4.3): the port's engines stop, its commands are dropped
                        hbaResets++;
                        set(PortRegister.CMD, 0);
                        set(PortRegister.CI, 0);
                        set(PortRegister.SACT, 0);
                    }
                }
                case IS -> hbaIs &= ~value;
                default -> { }
            }
            return;
        }
        PortRegister reg = portRegister(offset);
        switch (reg) {
            case IS -> {
                set(PortRegister.IS, get(PortRegister.IS) & ~value);
                updateHbaIs();
            }
            case SERR -> set(PortRegister.SERR, get(PortRegister.SERR) & ~value);
            case CMD -> writeCmd(value);
            case SCTL -> writeSctl(value);
            case SACT -> set(PortRegister.SACT, get(PortRegister.SACT) | value);
            case CI -> writeCi(value);
            case TFD, SIG, SSTS -> { }
            default -> set(reg, value);
        }
    }

    @Override
    public long size() {
        return 0x180;
    }

    // ---------------------------------------------------------------- internals

    private void writeCmd(int value) {
        int running = PortCmd.ST.isSet(value) ? PortCmd.CR.mask() : 0;
        int receiving = PortCmd.FRE.isSet(value) ? PortCmd.FR.mask() : 0;
        if (!PortCmd.ST.isSet(value)) {
            set(PortRegister.CI, 0);
            set(PortRegister.SACT, 0);
        }
        int keep = value & ~(PortCmd.CR.mask() | PortCmd.FR.mask());
        set(PortRegister.CMD, keep | running | receiving);
    }

    /** PxSCTL.DET=1 then 0 is a COMRESET (§10.4.2): the link comes back as the test said. */
    private void writeSctl(int value) {
        int before = PortSctl.DET.get(get(PortRegister.SCTL));
        set(PortRegister.SCTL, value);
        if (before == PortSctl.DET_COMRESET && PortSctl.DET.get(value) == PortSctl.DET_NO_ACTION) {
            comresets++;
            det(detAfterComreset);
            set(PortRegister.TFD, taskFileAfterComreset);
        }
    }

    private void writeCi(int value) {
        int fresh = value & ~get(PortRegister.CI);
        set(PortRegister.CI, get(PortRegister.CI) | value);
        while (fresh != 0) {
            int slot = Integer.numberOfTrailingZeros(fresh);
            fresh &= fresh - 1;
            Issued c = parse(slot);
            issued.add(c);
            if (responder.apply(c) == Reply.COMPLETE) {
                complete(slot);
            }
        }
    }

    private Issued parse(int slot) {
        Map.Entry<ByteBuffer, Integer> fis = at(commandTable(slot));
        ByteBuffer b = fis.getKey();
        int o = fis.getValue();
        int opcode = b.get(o + 2) & 0xff;
        long lba = (b.get(o + 4) & 0xffL) | (b.get(o + 5) & 0xffL) << 8 | (b.get(o + 6) & 0xffL) << 16
                | (b.get(o + 8) & 0xffL) << 24 | (b.get(o + 9) & 0xffL) << 32 | (b.get(o + 10) & 0xffL) << 40;
        boolean queued = (get(PortRegister.SACT) & (1 << slot)) != 0;
        int count = queued ? (b.get(o + 3) & 0xff) | (b.get(o + 11) & 0xff) << 8
                : (b.get(o + 12) & 0xff) | (b.get(o + 13) & 0xff) << 8;
        return new Issued(slot, opcode, lba, count, queued);
    }

    private long commandTable(int slot) {
        ByteBuffer h = header(slot);
        int o = headerOffset(slot);
        return h.getInt(o + 8) & 0xffff_ff80L | (long) h.getInt(o + 12) << 32;
    }

    private ByteBuffer header(int slot) {
        return at(commandList() + 32L * slot).getKey();
    }

    private int headerOffset(int slot) {
        return at(commandList() + 32L * slot).getValue();
    }

    private long commandList() {
        return get(PortRegister.CLB) & 0xffff_ffffL | (long) get(PortRegister.CLBU) << 32;
    }

    private long fisBase() {
        return get(PortRegister.FB) & 0xffff_ffffL | (long) get(PortRegister.FBU) << 32;
    }

    private Map.Entry<ByteBuffer, Integer> at(long busAddress) {
        return transport.resolve(busAddress);
    }

    private void writeFis(int offset, int type, int status, int error) {
        if (!PortCmd.FRE.isSet(get(PortRegister.CMD))) {
            return;
        }
        Map.Entry<ByteBuffer, Integer> fis = at(fisBase() + offset);
        fis.getKey().put(fis.getValue(), (byte) type);
        fis.getKey().put(fis.getValue() + 2, (byte) status);
        fis.getKey().put(fis.getValue() + 3, (byte) error);
    }

    private int portIs() {
        int serr = get(PortRegister.SERR);
        return get(PortRegister.IS) | ((serr & SERR_DIAG_N) != 0 ? PortIs.PRCS.mask() : 0)
                | ((serr & SERR_DIAG_X) != 0 ? PortIs.PCS.mask() : 0);
    }

    private void raise(int bits) {
        set(PortRegister.IS, get(PortRegister.IS) | bits);
        raiseIfEnabled();
    }

    private void raiseIfEnabled() {
        if ((portIs() & get(PortRegister.IE)) != 0) {
            hbaIs |= 1 << PORT;
            if (Ghc.IE.isSet(ghc)) {
                transport.signalInterrupt();
            }
        }
    }

    private void updateHbaIs() {
        if ((portIs() & get(PortRegister.IE)) != 0) {
            hbaIs |= 1 << PORT;
        }
    }

    private int get(PortRegister reg) {
        return port[reg.offset(PORT) - PortRegister.CLB.offset(PORT) >> 2];
    }

    private void set(PortRegister reg, int value) {
        port[reg.offset(PORT) - PortRegister.CLB.offset(PORT) >> 2] = value;
    }

    private static HbaRegister hbaRegister(int offset) {
        for (HbaRegister r : HbaRegister.values()) {
            if (r.offset() == offset) {
                return r;
            }
        }
        throw new IllegalArgumentException("no HBA register at 0x" + Integer.toHexString(offset));
    }

    private static PortRegister portRegister(int offset) {
        for (PortRegister r : PortRegister.values()) {
            if (r.offset(PORT) == offset) {
                return r;
            }
        }
        throw new IllegalArgumentException("no port 0 register at 0x" + Integer.toHexString(offset));
    }
}
