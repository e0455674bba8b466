package io.jahci.nbd;

import io.jahci.disk.Disk;
import io.jahci.fault.PortException;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import static io.jahci.nbd.NbdProtocol.*;

/**
 * The reading half of a connection's loop: reads request headers and WRITE payloads from the
 * non-blocking socket as far as the socket holds them, checks each request ({@link Refusal}) and
 * submits it (READ, WRITE, FLUSH through its {@link io.jahci.disk.DiskRequest}, TRIM and
 * WRITE_ZEROES through {@link TrimAndZeroes}) or queues its refusal. Loop thread only; nothing is
 * allocated per request.
 *
 * <p>Headers are read through a read-ahead buffer of {@value #READ_AHEAD_BYTES} bytes: one read takes
 * as many headers as the client sent (at QD32, many), and the payload bytes of a WRITE that came with
 * them are copied into the request's data buffer; the rest of a payload is read straight into that
 * buffer, so a large WRITE is not copied twice. A read that returned fewer bytes than it asked for
 * found the socket <em>drained</em>: the intake does not read again until the loop says the socket
 * may hold more ({@link #mayHoldMore()}), so a request costs no read that can only find EAGAIN.
 *
 * <pre>
 *  HEADER --a READ/FLUSH/TRIM/WRITE_ZEROES, checked--> submitted, HEADER
 *  HEADER --a WRITE, checked, its buffer taken--> PAYLOAD --payload read--> submitted, HEADER
 *  HEADER --a refused WRITE (or its buffer failed)--> SKIP --payload dropped--> refusal queued, HEADER
 *  HEADER --a request over 256 KiB, the large buffer busy--> LARGE --buffer free--> (as from HEADER)
 *  HEADER, no context free --> waits for one of its replies to be written
 *  HEADER, PAYLOAD, SKIP: the read-ahead buffer first; then the socket, unless drained
 * </pre>
 */
final class RequestIntake {
    /** The read-ahead buffer's size: 292 headers, or one header and a 4 KiB WRITE's payload. */
    static final int READ_AHEAD_BYTES = 8 << 10;

    private enum State { HEADER, PAYLOAD, SKIP, LARGE }

    private final NbdConnection connection;
    private final SocketChannel ch;
    private final RequestContexts contexts;
    private final NbdExport export;
    private final Disk disk;
    private final TrimAndZeroes trimAndZeroes;
    /** Reads and writes of at most this many bytes move in place. */
    private final int inPlaceBytes;
    /** Bytes read from the socket and not yet handled, between position and limit. */
    private final ByteBuffer ahead = ByteBuffer.allocateDirect(READ_AHEAD_BYTES).flip();

    private State state = State.HEADER;
    /** The request being read, its context taken; null in HEADER before a context was taken. */
    private NbdRequest current;
    /** PAYLOAD: where the WRITE's data goes. */
    private ByteBuffer payload;
    /** SKIP: the payload bytes still to drop. */
    private long skipLeft;
    /** Whether the last read stopped because the socket had nothing more (not for want of a context or buffer). */
    private boolean wantsSocket = true;
    /** The last read of the socket returned less than it asked for: the socket was empty then. */
    private boolean drained;

    RequestIntake(NbdConnection connection, SocketChannel ch, RequestContexts contexts, NbdExport export,
                  TrimAndZeroes trimAndZeroes, int inPlaceBytes) {
        this.connection = connection;
        this.ch = ch;
        this.contexts = contexts;
        this.export = export;
        this.disk = export.disk();
        this.inPlaceBytes = inPlaceBytes;
        this.trimAndZeroes = trimAndZeroes;
    }

    /** Whether the loop should wait for the socket to become readable (else for its own replies). */
    boolean wantsSocket() {
        return wantsSocket;
    }

    /**
     * The socket may hold bytes again (the selector said it is readable, or the loop serviced the
     * interrupt while requests were in flight): the next {@link #read()} reads it.
     */
    void mayHoldMore() {
        drained = false;
    }

    /**
     * Reads and handles requests while the socket holds them and contexts are free; true if it
     * moved anything. Ends reading ({@link NbdConnection#endReading()}) at NBD_CMD_DISC, and at the
     * end of input once the server stops.
     *
     * @throws NbdProtocolException a request the protocol does not allow: the connection ends
     * @throws EOFException the client hung up without NBD_CMD_DISC, or in the middle of a request
     */
    boolean read() throws IOException, NbdProtocolException {
        boolean progress = false;
        while (true) {
            wantsSocket = true;
            switch (state) {
                case HEADER -> {
                    if (current == null && (current = contexts.tryAcquire()) == null) {
                        wantsSocket = false;
                        return progress;
                    }
                    if (ahead.remaining() < REQUEST_BYTES) {
                        if (drained) {
                            return progress;
                        }
                        int n = readSocket(ahead.compact());
                        ahead.flip();
                        if (n < 0) {
                            endOfInput();
                            return true;
                        }
                        if (ahead.remaining() < REQUEST_BYTES) {
                            return progress || n > 0;
                        }
                    }
                    progress = true;
                    int magicAt = ahead.position();
                    if (!current.decode(ahead)) {
                        throw new NbdProtocolException(String.format("request magic 0x%08x is not NBD_REQUEST_MAGIC 0x%08x",
                                ahead.getInt(magicAt), REQUEST_MAGIC));
                    }
                    connection.requests.count(current.type);
                    if (current.type == CMD_DISC) {
                        dropCurrent();
                        connection.endReading();
                        return true;
                    }
                    handle();
                }
                case LARGE -> {
                    if (!takeLargeBuffer()) {
                        return progress;
                    }
                    progress = true;
                }
                case PAYLOAD -> {
                    progress |= takeAhead(payload) > 0;
                    if (payload.hasRemaining()) {
                        if (drained) {
                            return progress;
                        }
                        int n = readSocket(payload);
                        if (n < 0) {
                            throw Wire.closedEarly(payload.position(), payload.limit(), "the data of " + current.describe());
                        }
                        if (payload.hasRemaining()) {
                            return progress || n > 0;
                        }
                    }
                    progress = true;
                    submit(payload.flip());
                }
                case SKIP -> {
                    int n = (int) Math.min(ahead.remaining(), skipLeft);
                    if (n > 0) {
                        ahead.position(ahead.position() + n);
                    } else {
                        if (drained) {
                            return progress;
                        }
                        n = readSocket(current.ownBuffer((int) Math.min(NbdRequest.OWN_BUFFER_BYTES, skipLeft)));
                        if (n < 0) {
                            throw new EOFException("the client closed the connection in the data of " + current.describe());
                        }
                        if (n == 0) {
                            return progress;
                        }
                    }
                    progress = true;
                    skipLeft -= n;
                    if (skipLeft == 0) {
                        reply(current.error);
                    }
                }
            }
        }
    }

    /** Reads the socket into {@code to}; notes whether it was drained. -1 at the end of input. */
    private int readSocket(ByteBuffer to) throws IOException {
        int asked = to.remaining();
        int n = ch.read(to);
        drained = n >= 0 && n < asked;
        return n;
    }

    /** Moves what the read-ahead buffer holds, as far as {@code to} takes it; how many bytes. */
    private int takeAhead(ByteBuffer to) {
        int n = Math.min(ahead.remaining(), to.remaining());
        if (n > 0) {
            int limit = ahead.limit();
            to.put(ahead.limit(ahead.position() + n));
            ahead.limit(limit);
        }
        return n;
    }

    private void endOfInput() throws EOFException {
        if (ahead.hasRemaining()) {
            throw Wire.closedEarly(ahead.remaining(), REQUEST_BYTES, "a request header");
        }
        if (!connection.stopping()) {
            throw new EOFException("the client hung up without NBD_CMD_DISC");
        }
        dropCurrent();
        connection.endReading();
    }

    /**
     * Gives back the context of the request being read, which gets no reply: NBD_CMD_DISC, the end
     * of input, or the connection ending in the middle of a request.
     */
    void dropCurrent() {
        if (current != null) {
            connection.replied(current);
            current = null;
        }
    }

    /** A header was read: refuse, start a WRITE's payload, or submit. */
    private void handle() throws IOException, NbdProtocolException {
        NbdRequest r = current;
        int refusal = Refusal.of(r, export, connection.stopping());
        if (r.type == CMD_WRITE && r.unsignedLength() > NbdExport.MAX_REQUEST_BYTES) {
            // proto.md: the server may close; the payload is not read
            throw new NbdProtocolException(r.describe() + " is longer than the maximum block size "
                    + NbdExport.MAX_REQUEST_BYTES + " the server announced; its payload was not read");
        }
        if (refusal != 0) {
            refuse(refusal);
            return;
        }
        switch (r.type) {
            case CMD_READ, CMD_WRITE, CMD_FLUSH -> {
                if (r.type != CMD_FLUSH && r.length > inPlaceBytes) {
                    state = State.LARGE;
                    takeLargeBuffer();
                } else {
                    takeCommand();
                }
            }
            case CMD_TRIM, CMD_WRITE_ZEROES -> {
                connection.submitted();
                try {
                    trimAndZeroes.start(r);
                } catch (PortException | RuntimeException e) {
                    connection.completed(r, e);
                }
                next();
            }
            default -> throw new IllegalStateException("Refusal.of passed " + r.describe());
        }
    }

    /** In place: reserves one of the port's commands (waiting while all are in flight) for the request's data. */
    private void takeCommand() {
        NbdRequest r = current;
        ByteBuffer data;
        try {
            data = r.io.reserve(r.type == CMD_FLUSH ? disk.sectorSize() : r.length);
            if (r.type == CMD_READ) {
                r.ensureOwnBuffer();
            }
        } catch (PortException | RuntimeException e) {
            fail(e);
            return;
        }
        dataTaken(data);
    }

    /** LARGE: takes the large buffer if no other request of the client holds it; false while one does. */
    private boolean takeLargeBuffer() {
        ByteBuffer data = contexts.tryLargeBuffer(current, current.length);
        if (data == null) {
            wantsSocket = false;
            return false;
        }
        dataTaken(data);
        return true;
    }

    private void dataTaken(ByteBuffer data) {
        if (current.type == CMD_WRITE) {
            payload = data;
            state = State.PAYLOAD;
        } else {
            submit(data);
        }
    }

    /** Submits a READ, WRITE or FLUSH whose data (a WRITE's read in) is in {@code data}. */
    private void submit(ByteBuffer data) {
        NbdRequest r = current;
        boolean inPlace = r.large == null;
        boolean fua = (r.flags & CMD_FLAG_FUA) != 0;
        r.flushNext = r.type == CMD_WRITE && fua && !disk.supportsFua();
        boolean diskFua = fua && !r.flushNext;
        long lba = r.offset / disk.sectorSize();
        connection.submitted();
        try {
            switch (r.type) {
                case CMD_READ -> {
                    if (inPlace) {
                        r.io.read(lba);
                    } else {
                        r.io.read(lba, data);
                    }
                }
                case CMD_WRITE -> {
                    if (inPlace) {
                        r.io.write(lba, diskFua);
                    } else {
                        r.io.write(lba, data, diskFua);
                    }
                }
                default -> r.io.flush();
            }
        } catch (PortException | RuntimeException e) {
            connection.completed(r, e);
        }
        next();
    }

    /** The request's data could not be set up: EIO, the reason in the log (a WRITE's payload dropped first). */
    private void fail(Throwable e) {
        current.failure = e;
        if (current.io.holdsCommand()) {
            current.io.release();
        }
        refuse(EIO);
    }

    /** Answers the current request with {@code error} without the disk: a WRITE's payload is dropped first. */
    private void refuse(int error) {
        current.error = error;
        if (current.type == CMD_WRITE && current.length != 0) {
            skipLeft = current.unsignedLength();
            state = State.SKIP;
        } else {
            reply(error);
        }
    }

    private void reply(int error) {
        current.error = error;
        connection.queueReply(current);
        next();
    }

    private void next() {
        current = null;
        payload = null;
        state = State.HEADER;
    }
}
