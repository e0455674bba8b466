package io.jahci.nbd;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An accepted TCP client's replies leave without Nagle's delay (a real loopback connection). */
class TcpNoDelayTest {
    @Test
    void acceptedTcpSocketsGetTcpNoDelay() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(listener.getLocalAddress());
             SocketChannel accepted = listener.accept()) {
            assertFalse(accepted.getOption(StandardSocketOptions.TCP_NODELAY), "Linux's default: Nagle on");
            NbdServer.replyWithoutDelay(accepted);
            assertTrue(accepted.getOption(StandardSocketOptions.TCP_NODELAY));
        }
    }
}
