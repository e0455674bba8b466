package io.jahci.hw.qemu;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.jahci.hw.DeviceLostException;
import io.jahci.platform.NativeException;
import io.jahci.platform.UnixSocket;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The qtest text protocol on QEMU's socket (QEMU docs/devel/qtest.rst): one command line out, one
 * {@code OK [value]} / {@code FAIL ...} / {@code ERR ...} line back, with asynchronous
 * {@code IRQ raise N} / {@code IRQ lower N} lines that may arrive at any time, including between a
 * command and its reply.
 *
 * <p>A reader thread owns the socket's input: it hands replies to the one caller waiting (commands
 * are serialized by this object's monitor) and IRQ lines to the {@link IrqListener}. Commands and
 * replies are formatted and parsed in preallocated native buffers and move through raw libc calls
 * ({@link UnixSocket}): an MMIO access allocates nothing.
 *
 * <p>A command QEMU does not answer within the reply timeout (QEMU stopped, e.g. by SIGSTOP, or
 * wedged) makes the connection lost for good: the command may still execute when QEMU runs again
 * (a doorbell write then issues its command after all), and its late {@code OK} would be taken as
 * the reply to a later command, so replies and commands would no longer pair up. From then on
 * every command fails at once with {@link DeviceLostException} and IRQ lines are dropped: nothing
 * QEMU says later reaches the driver.
 */
final class QtestConnection implements AutoCloseable {
    /** Receives the controller's interrupt line changes. Called on the reader thread. */
    interface IrqListener {
        void irq(int line, boolean raised);

        /** The connection is lost: no more IRQ lines will come, so no line stays asserted. */
        void connectionLost();
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static final int IN_BYTES = 64 * 1024;

    private final UnixSocket socket;
    private final long replyTimeoutNanos;
    private final Supplier<String> diagnostics;
    private final Memory out = new Memory(256);
    private final long outAddress = Pointer.nativeValue(out);
    private int outLength;
    private final Memory in = new Memory(IN_BYTES);
    private final long inAddress = Pointer.nativeValue(in);
    private final byte[] line = new byte[4096];
    private final Thread reader;
    private volatile IrqListener irqListener;

    // Reply hand-off from the reader thread to the waiting caller.
    private volatile Thread waiter;
    private volatile long replyValue;
    private volatile String replyError;
    private volatile boolean replied;
    /** Why the connection is lost, set once (null while it works). */
    private final AtomicReference<String> lostReason = new AtomicReference<>();

    /**
     * @param replyTimeoutMillis how long a command waits for its reply before the connection is lost
     * @param diagnostics what to append to a "device lost" error (QEMU's exit status and stderr)
     */
    QtestConnection(UnixSocket socket, String name, long replyTimeoutMillis, Supplier<String> diagnostics) {
        this.socket = socket;
        this.replyTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(replyTimeoutMillis);
        this.diagnostics = diagnostics;
        this.reader = new Thread(this::readLoop, name + "-qtest-reader");
        reader.setDaemon(true);
        reader.start();
    }

    void setIrqListener(IrqListener listener) {
        this.irqListener = listener;
    }

    long readl(long address) {
        return command("readl", address, -1);
    }

    void writel(long address, int value) {
        command("writel", address, value & 0xffffffffL);
    }

    long inl(int port) {
        return command("inl", port, -1);
    }

    long inw(int port) {
        return command("inw", port, -1);
    }

    long inb(int port) {
        return command("inb", port, -1);
    }

    void outl(int port, int value) {
        command("outl", port, value & 0xffffffffL);
    }

    void outw(int port, int value) {
        command("outw", port, value & 0xffffL);
    }

    /** Sends a command that takes a free-form argument (set-up only; allocates). */
    synchronized void send(String text) {
        outLength = 0;
        for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
            put(b);
        }
        put((byte) '\n');
        exchange(text);
    }

    private void put(byte b) {
        out.setByte(outLength++, b);
    }

    /** Formats {@code verb 0xADDR [0xVALUE]} into the output buffer and waits for the reply. */
    private synchronized long command(String verb, long address, long value) {
        outLength = 0;
        for (int i = 0; i < verb.length(); i++) {
            put((byte) verb.charAt(i));
        }
        putHex(address);
        if (value >= 0) {
            putHex(value);
        }
        put((byte) '\n');
        return exchange(verb);
    }

    private void putHex(long value) {
        put((byte) ' ');
        put((byte) '0');
        put((byte) 'x');
        int digits = Math.max(1, (64 - Long.numberOfLeadingZeros(value) + 3) / 4);
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            put(HEX[(int) (value >>> shift) & 0xf]);
        }
    }

    private long exchange(String what) {
        checkAlive();
        replied = false;
        replyError = null;
        waiter = Thread.currentThread();
        try {
            socket.writeFully(outAddress, outLength);
        } catch (NativeException e) {
            waiter = null;
            throw lost("writing '" + what + "' to the qtest socket failed: " + e.getMessage());
        }
        long deadline = System.nanoTime() + replyTimeoutNanos;
        while (!replied) {
            checkAlive();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                waiter = null;
                loseOnce("QEMU did not answer '" + what + "' within "
                        + TimeUnit.NANOSECONDS.toMillis(replyTimeoutNanos) + " ms (stopped or wedged; the command may "
                        + "still run when QEMU continues, so the connection is given up)");
                throw lost(lostReason.get());
            }
            LockSupport.parkNanos(this, left);
        }
        waiter = null;
        if (replyError != null) {
            throw new DeviceLostException("qtest command '" + what + "' was refused by QEMU: " + replyError);
        }
        return replyValue;
    }

    private void checkAlive() {
        String reason = lostReason.get();
        if (reason != null) {
            throw lost(reason);
        }
    }

    private DeviceLostException lost(String reason) {
        return new DeviceLostException("QEMU stopped answering: " + reason + diagnostics.get());
    }

    private void readLoop() {
        int length = 0;
        try {
            while (true) {
                int n = socket.read(inAddress, IN_BYTES);
                if (n == 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    byte b = in.getByte(i);
                    if (b == '\n') {
                        dispatch(length);
                        length = 0;
                    } else if (length < line.length) {
                        line[length++] = b;
                    }
                }
            }
            loseOnce("the qtest socket was closed");
        } catch (NativeException e) {
            loseOnce("reading the qtest socket failed: " + e.getMessage());
        }
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** Keeps the first reason the connection was lost (a timeout is followed by the socket's close). */
    private void loseOnce(String reason) {
        if (lostReason.compareAndSet(null, reason)) {
            IrqListener listener = irqListener;
            if (listener != null) {
                listener.connectionLost();
            }
        }
    }

    /** Handles one complete line. Runs on the reader thread; allocates only for error replies. */
    private void dispatch(int length) {
        if (startsWith(length, "IRQ raise ") || startsWith(length, "IRQ lower ")) {
            IrqListener listener = irqListener;
            if (listener != null && lostReason.get() == null) {
                listener.irq((int) parseNumber(10, length), line[4] == 'r');
            }
            return;
        }
        if (lostReason.get() != null) {
            return; // a late reply to a command given up on: it pairs with nothing
        }
        if (startsWith(length, "OK")) {
            replyValue = length > 3 ? parseNumber(3, length) : 0;
        } else {
            replyError = new String(line, 0, length, StandardCharsets.US_ASCII);
        }
        replied = true;
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    private boolean startsWith(int length, String prefix) {
        if (length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (line[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Parses a decimal or 0x-prefixed hexadecimal number starting at {@code from}. */
    private long parseNumber(int from, int length) {
        int i = from;
        int radix = 10;
        if (i + 1 < length && line[i] == '0' && (line[i + 1] == 'x' || line[i + 1] == 'X')) {
            radix = 16;
            i += 2;
        }
        long value = 0;
        for (; i < length; i++) {
            int digit = Character.digit(line[i], radix);
            if (digit < 0) {
                break;
            }
            value = value * radix + digit;
        }
        return value;
    }

    boolean isAlive() {
        return lostReason.get() == null;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (NativeException ignored) {
            // closing a socket whose peer is gone; nothing to recover
        }
    }
}
