package io.jahci.hw.qemu;

import com.fasterxml.jackson.jr.ob.JSON;
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
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * QEMU's machine protocol (QMP, docs/interop/qmp-spec) on a unix socket: one JSON object per
 * line, each command ({@code {"execute":..., "arguments":{...}}}) answered by an object with
 * {@code "return"} or {@code "error"}; asynchronous {@code "event"} objects are skipped. JSON is
 * written and parsed by jackson-jr. For tests and tools (throttling a drive, hot-plug), never on
 * an I/O path: PASSIVE, the caller's thread.
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
        if (greeting == null || !JSON.std.mapFrom(greeting).containsKey("QMP")) {
            throw new IOException("QMP greeting expected, got: " + greeting);
        }
        execute("qmp_capabilities", Map.of());
    }

    /**
     * Sends {@code {"execute": command, "arguments": arguments}}; returns QEMU's {@code return} value (usually
     * an empty map), or throws with its {@code error}.
     */
    synchronized Object execute(String command, Map<String, ?> arguments) throws IOException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("execute", command);
        if (!arguments.isEmpty()) {
            request.put("arguments", arguments);
        }
        String json = JSON.std.asString(request);
        out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            Map<String, Object> answer = JSON.std.mapFrom(line);
            if (answer.containsKey("return")) {
                return answer.get("return");
            }
            if (answer.containsKey("error")) {
                throw new IOException("QEMU refused " + json + ": " + answer.get("error"));
            }
        }
        throw new IOException("QMP socket closed while waiting for the answer to " + json);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
