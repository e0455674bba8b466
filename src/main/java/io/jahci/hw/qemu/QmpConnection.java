package io.jahci.hw.qemu;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * QEMU's machine protocol (QMP, docs/interop/qmp-spec) on a unix socket: one JSON command per
 * line, answered by a line with {@code "return"} or {@code "error"}; asynchronous
 * {@code "event"} lines are skipped. For tests and tools (throttling a drive, hot-plug), never on
 * an I/O path.
 */
final class QmpConnection implements AutoCloseable {
    private final SocketChannel socket;
    private final BufferedReader in;
    private final OutputStream out;

    QmpConnection(Path path) throws IOException {
        socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        socket.connect(UnixDomainSocketAddress.of(path));
        in = new BufferedReader(new InputStreamReader(Channels.newInputStream(socket), StandardCharsets.UTF_8));
        out = Channels.newOutputStream(socket);
        String greeting = in.readLine();
        if (greeting == null || !greeting.contains("\"QMP\"")) {
            throw new IOException("QMP greeting expected, got: " + greeting);
        }
        execute("{\"execute\":\"qmp_capabilities\"}");
    }

    /** Sends one command; returns QEMU's {@code return} line, or throws with its {@code error}. */
    synchronized String execute(String json) throws IOException {
        out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.contains("\"return\"")) {
                return line;
            }
            if (line.contains("\"error\"")) {
                throw new IOException("QEMU refused " + json + ": " + line);
            }
        }
        throw new IOException("QMP socket closed while waiting for the answer to " + json);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
