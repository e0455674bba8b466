package io.jahci.nbd;

import io.jahci.fault.PortException;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An NBD server (proto.md, fixed newstyle) for a set of exports on one unix socket or one TCP
 * address. An acceptor thread takes connections; each client is served by one thread, an event loop
 * on its socket and the disk's completions ({@link NbdConnection}). {@link #shutdown()} stops it in order: no new clients, no new requests,
 * every request in flight answered, every writable disk flushed, clients closed.
 *
 * <p>What the server did is counted without touching the request path: {@link #requests()} (by type,
 * from each connection's counter) and, for per-request costs, each of its threads runs the
 * server's {@code threadEnding} action as its last act, so what a client's thread used is kept
 * when it ends with the client.
 */
public final class NbdServer implements Handshake.Exports, AutoCloseable {
    /** Clients served at once; more are turned away (each may hold 32 request buffers). */
    public static final int MAX_CLIENTS = 16;
    /** How long shutdown waits for a client to read its last replies (or handshake replies) before closing it. */
    static final long REPLY_GRACE_MILLIS = 5_000;

    private final Map<String, NbdExport> byName = new LinkedHashMap<>();
    private final List<NbdExport> exports;
    private final PrintWriter log;
    private final Set<NbdConnection> connections = ConcurrentHashMap.newKeySet();
    private final Runnable threadEnding;
    /** The requests of the clients that ended; guarded, with their leaving {@link #connections}, by its monitor. */
    private final Object endedLock = new Object();
    private RequestCounts endedRequests = RequestCounts.ZERO;
    private ServerSocketChannel listener;
    private Path socketPath;
    private Thread acceptor;
    private int nextId;
    private volatile boolean stopping;

    /** @param log where one line per rejected client and per failed request goes */
    public NbdServer(List<NbdExport> exports, PrintWriter log) {
        this(exports, log, () -> { });
    }

    /**
     * @param log          where one line per rejected client and per failed request goes
     * @param threadEnding run by each of the server's threads (acceptor, each client's loop) as
     *                     its last act, at PASSIVE, never on the request path: e.g. to keep
     *                     what the thread used before it is gone
     */
    public NbdServer(List<NbdExport> exports, PrintWriter log, Runnable threadEnding) {
        this.exports = List.copyOf(exports);
        this.log = log;
        this.threadEnding = threadEnding;
        for (NbdExport e : exports) {
            for (String name : e.names()) {
                if (byName.putIfAbsent(name, e) != null) {
                    throw new IllegalArgumentException("two exports are called '" + name + "'");
                }
            }
        }
    }

    /**
     * Listens on a new unix socket at {@code path}, owner-only (0600): it is bound in a private
     * directory, made 0600 there, then renamed into place, so no one else can ever connect.
     * PASSIVE.
     */
    public void listenUnix(Path path) throws IOException {
        Path target = path.toAbsolutePath();
        if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(target + " exists already; remove it (a server that ended uncleanly leaves its "
                    + "socket) or choose another --unix path");
        }
        Path dir = Files.createTempDirectory(target.getParent(), ".jahci-nbd-");
        try {
            Path temp = dir.resolve("s");
            ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.bind(UnixDomainSocketAddress.of(temp));
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            listener = ch;
            socketPath = target;
        } finally {
            Files.deleteIfExists(dir.resolve("s"));
            Files.delete(dir);
        }
    }

    /** Listens on TCP, bound only to {@code address} (port 0: any free port). No TLS: keep it on loopback. PASSIVE. */
    public void listenTcp(InetSocketAddress address) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.bind(address);
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
        listener = ch;
    }

    /** The URI of export {@code name} for clients: nbd+unix:///NAME?socket=PATH or nbd://HOST:PORT/NAME. */
    public String uri(String name) throws IOException {
        if (socketPath != null) {
            return "nbd+unix:///" + name + "?socket=" + socketPath;
        }
        InetSocketAddress a = (InetSocketAddress) listener.getLocalAddress();
        return "nbd://" + a.getAddress().getHostAddress() + ":" + a.getPort() + "/" + name;
    }

    /** Starts accepting clients. */
    public void start() {
        acceptor = new Thread(this::accept, "jahci-nbd-acceptor");
        acceptor.start();
    }

    private void accept() {
        try {
            acceptClients();
        } finally {
            threadEnding();
        }
    }

    private void acceptClients() {
        while (!stopping) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                log("accepting a client failed: " + e);
                continue;
            }
            int id = ++nextId;
            if (stopping || connections.size() >= MAX_CLIENTS) {
                log("client " + id + " turned away: " + (stopping ? "the server is shutting down"
                        : MAX_CLIENTS + " clients are connected already"));
                try {
                    ch.close();
                } catch (IOException e) {
                    // nothing to do
                }
                continue;
            }
            try {
                replyWithoutDelay(ch);
            } catch (IOException e) {
                log("client " + id + ": setting TCP_NODELAY failed: " + e);
            }
            NbdConnection c = new NbdConnection(this, ch, id);
            connections.add(c);
            c.start();
        }
    }

    /**
     * On TCP, turns Nagle's algorithm off: a reply is a few bytes (a write's 16) that must leave
     * at once, not wait for the client's ACK of the previous one (up to the client's delayed-ACK
     * timer, 40 ms on Linux). A unix socket has no such delay. Acceptor thread.
     */
    static void replyWithoutDelay(SocketChannel ch) throws IOException {
        if (ch.getLocalAddress() instanceof InetSocketAddress) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
    }

    @Override
    public ExportInfo find(String name) {
        NbdExport e = byName.get(name);
        return e == null ? null : e.info();
    }

    @Override
    public List<String> names() {
        List<String> names = new ArrayList<>();
        for (NbdExport e : exports) {
            names.add(e.info().name());
        }
        return names;
    }

    NbdExport export(ExportInfo info) {
        return byName.get(info.name());
    }

    boolean stopping() {
        return stopping;
    }

    /** A client's loop ended; {@code line} (or null) is what to log about it. Its requests stay counted. */
    void ended(NbdConnection c, String line) {
        synchronized (endedLock) {
            endedRequests = c.requests.addTo(endedRequests);
            connections.remove(c);
        }
        if (line != null) {
            log(line);
        }
    }

    void log(String line) {
        synchronized (log) {
            log.println("jahci serve: " + line);
            log.flush();
        }
    }

    /** Runs the {@code threadEnding} action on the calling server thread, as its last act. */
    void threadEnding() {
        threadEnding.run();
    }

    /** The requests read from every client since the server started, by type. Any thread; allocates. */
    public RequestCounts requests() {
        synchronized (endedLock) {
            RequestCounts sum = endedRequests;
            for (NbdConnection c : connections) {
                sum = c.requests.addTo(sum);
            }
            return sum;
        }
    }

    /** Clients connected now. */
    public int clients() {
        return connections.size();
    }

    /**
     * Stops in order: no new clients; no new requests (requests read after this get ESHUTDOWN);
     * every request in the disks completes and is answered; every writable disk's write cache
     * is flushed (FLUSH CACHE EXT); clients that do not read their last replies within
     * {@link #REPLY_GRACE_MILLIS} are closed anyway. PASSIVE. Returns false when a flush failed.
     */
    public boolean shutdown() throws InterruptedException {
        stopping = true;
        try {
            if (listener != null) {
                listener.close();
            }
        } catch (IOException e) {
            log("closing the listening socket: " + e);
        }
        if (acceptor != null) {
            acceptor.join();
        }
        List<NbdConnection> open = new ArrayList<>(connections);
        for (NbdConnection c : open) {
            c.stop();
        }
        for (NbdConnection c : open) {
            c.awaitDiskIdle(REPLY_GRACE_MILLIS);
        }
        boolean flushed = true;
        for (NbdExport e : exports) {
            if (e.writable()) {
                try {
                    e.disk().flush();
                } catch (PortException | RuntimeException ex) {
                    log("flushing port " + e.disk().port() + "'s write cache failed: " + ex.getMessage());
                    flushed = false;
                }
            }
        }
        for (NbdConnection c : open) {
            c.close(REPLY_GRACE_MILLIS);
        }
        if (socketPath != null) {
            try {
                Files.deleteIfExists(socketPath);
            } catch (IOException e) {
                log("removing " + socketPath + ": " + e);
            }
        }
        return flushed;
    }

    /** {@link #shutdown()} unless it ran; an interrupt ends the wait and is kept. */
    @Override
    public void close() {
        if (!stopping) {
            try {
                shutdown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
