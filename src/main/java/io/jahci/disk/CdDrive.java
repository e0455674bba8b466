package io.jahci.disk;

import io.jahci.ahci.AtapiCdb;
import io.jahci.ahci.SenseData;
import io.jahci.fault.AtaCommandException;
import io.jahci.fault.PortException;
import io.jahci.miniport.AhciPort;

import java.nio.ByteBuffer;

/**
 * An ATAPI CD/DVD drive on one port, driven with PACKET commands (SPC-4/MMC-6 CDBs): INQUIRY,
 * READ CAPACITY (10), READ (10) in 2048-byte blocks, TEST UNIT READY. A CHECK CONDITION is
 * followed by REQUEST SENSE, and the sense goes into the error; the transient conditions of a
 * medium change are retried (see {@link #run}).
 * Reading only: optical media are never written.
 *
 * <p>Thread safe: the port runs one command at a time.
 */
public final class CdDrive {
    /** Bytes per block of CD/DVD data (MMC-6 §4.2.2, Mode 1 user data). */
    public static final int BLOCK = 2048;
    /** Runs of one command at most: medium not present once, UNIT ATTENTION once, then the answer. */
    private static final int ATTEMPTS = 3;

    private final String device;
    private final AhciPort port;

    CdDrive(String device, AhciPort port) {
        this.device = device;
        this.port = port;
    }

    public int port() {
        return port.number();
    }

    /** INQUIRY and, with a medium in the drive, READ CAPACITY (10). PASSIVE. */
    public CdIdentity identity() throws PortException {
        ByteBuffer reply = ByteBuffer.allocate(AtapiCdb.INQUIRY_LENGTH);
        ByteBuffer cdb = cdb();
        AtapiCdb.inquiry(cdb, 0);
        run(cdb, reply);
        AtapiCdb.Inquiry inquiry = AtapiCdb.Inquiry.parse(reply, 0);
        AtapiCdb.Capacity capacity = mediumPresent() ? capacity() : new AtapiCdb.Capacity(-1, 0);
        return new CdIdentity(port.number(), inquiry.vendor(), inquiry.product(), inquiry.revision(),
                capacity.blocks(), capacity.blockLength());
    }

    /** TEST UNIT READY: true when a medium is in and ready, false when there is none. PASSIVE. */
    public boolean mediumPresent() throws PortException {
        ByteBuffer cdb = cdb();
        AtapiCdb.testUnitReady(cdb, 0);
        try {
            run(cdb, null);
            return true;
        } catch (CheckConditionException e) {
            if (e.sense().noMedium()) {
                return false;
            }
            throw e;
        }
    }

    /** Blocks on the medium now (READ CAPACITY (10)). PASSIVE. */
    public long blocks() throws PortException {
        return capacity().blocks();
    }

    /**
     * Reads {@code buffer.remaining()} bytes, a whole number of {@link #BLOCK}-byte blocks, from
     * block {@code lba} on, with READ (10) commands of at most what the port moves at once. On
     * success the buffer's position is at its limit, as after a channel's read ({@link Disk}); on a
     * failure it stays. PASSIVE.
     */
    public void read(long lba, ByteBuffer buffer) throws PortException {
        int bytes = buffer.remaining();
        if (bytes == 0 || bytes % BLOCK != 0) {
            throw new IllegalArgumentException("cannot read " + where() + ": the buffer holds " + bytes
                    + " bytes, which is not a whole, non-zero number of " + BLOCK + "-byte blocks");
        }
        long blocks = blocks();
        long count = bytes / BLOCK;
        if (lba < 0 || lba > blocks - count) {
            throw new IllegalArgumentException("cannot read " + where() + " LBA " + lba + ".." + (lba + count - 1)
                    + ": the disc has " + blocks + " blocks of " + BLOCK + " bytes (LBA 0.." + (blocks - 1) + ")");
        }
        int perCommand = Math.min(AtapiCdb.MAX_READ_10_BLOCKS, port.maxTransferBytes() / BLOCK);
        ByteBuffer cdb = cdb();
        for (long done = 0; done < count; ) {
            int n = (int) Math.min(perCommand, count - done);
            ByteBuffer chunk = buffer.duplicate();
            chunk.position(buffer.position() + (int) (done * BLOCK)).limit(buffer.position() + (int) ((done + n) * BLOCK));
            AtapiCdb.read10(cdb, 0, lba + done, n);
            int moved = run(cdb, chunk);
            if (moved != n * BLOCK) {
                throw new PortException(where() + ": READ(10) of " + n + " blocks at LBA " + (lba + done)
                        + " moved " + moved + " bytes, not " + n * BLOCK);
            }
            done += n;
        }
        buffer.position(buffer.limit());
    }

    /** Optical media are never written: always refuses, saying so. */
    public void write(long lba, ByteBuffer buffer) {
        throw new UnsupportedOperationException("refusing to write " + where() + ": it is a CD/DVD drive, and "
                + "jahci reads optical media only");
    }

    private AtapiCdb.Capacity capacity() throws PortException {
        ByteBuffer reply = ByteBuffer.allocate(AtapiCdb.CAPACITY_LENGTH);
        ByteBuffer cdb = cdb();
        AtapiCdb.readCapacity10(cdb, 0);
        run(cdb, reply);
        return AtapiCdb.Capacity.parse(reply, 0);
    }

    /**
     * One PACKET command; returns the bytes it moved (PRDBC). A CHECK CONDITION becomes a
     * {@link CheckConditionException} carrying REQUEST SENSE's answer, after these retries: a
     * UNIT ATTENTION (reset, medium changed) is reported once per event, so the command runs again;
     * and right after a medium change a drive may first report the tray's open state ("medium not
     * present", as QEMU's ide-cd does once so that hosts see the change) and then the UNIT
     * ATTENTION, so a first "medium not present" is asked again too. At most {@link #ATTEMPTS} runs.
     */
    private int run(ByteBuffer cdb, ByteBuffer data) throws PortException {
        for (int attempt = 1; ; attempt++) {
            try {
                return once(cdb, data);
            } catch (CheckConditionException e) {
                boolean passing = e.sense().senseKey() == SenseData.UNIT_ATTENTION
                        || e.sense().noMedium() && attempt == 1;
                if (!passing || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private int once(ByteBuffer cdb, ByteBuffer data) throws PortException {
        try {
            return port.io().packet(cdb, data);
        } catch (AtaCommandException e) {
            SenseData sense = requestSense();
            String what = AtapiCdb.name(cdb.get(0) & 0xFF);
            String advice = sense.noMedium() ? " There is no disc in the drive: insert one." : "";
            throw new CheckConditionException(where() + ": " + what + " ended in CHECK CONDITION: " + sense + "."
                    + advice, sense);
        }
    }

    private SenseData requestSense() throws PortException {
        ByteBuffer cdb = cdb();
        AtapiCdb.requestSense(cdb, 0);
        ByteBuffer reply = ByteBuffer.allocate(AtapiCdb.SENSE_LENGTH);
        int moved = port.io().packet(cdb, reply);
        if (moved < 14) {
            throw new PortException(where() + ": REQUEST SENSE returned " + moved + " bytes, fewer than the 14 "
                    + "that hold the sense key and ASC/ASCQ");
        }
        return SenseData.parse(reply, 0);
    }

    private static ByteBuffer cdb() {
        return ByteBuffer.allocate(AtapiCdb.LENGTH);
    }

    private String where() {
        return device + " port " + port.number() + " (CD-ROM)";
    }

    @Override
    public String toString() {
        return "port " + port() + ": CD-ROM";
    }
}
