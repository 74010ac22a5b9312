package dev.herald.e2e.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal TCP load balancer in front of the nodes: every connection accepted on its loopback port is piped to the
 * node currently routed to, so one client endpoint can land on different nodes, as behind a real load balancer.
 * {@link #refuse()} closes new connections at once (every node unreachable), {@link #dropAll()} cuts the open ones
 * (a network blip). It records which backend port each accepted connection went to.
 */
public final class TcpSwitch implements AutoCloseable {
    private static final int REFUSE = -1;

    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<Integer> routed = new CopyOnWriteArrayList<>();
    private volatile int target;

    public TcpSwitch(HeraldProcess first) {
        this.target = first.port();
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofPlatform().daemon().name("tcp-switch-" + server.getLocalPort()).start(this::acceptLoop);
    }

    /** The client endpoint: Centrifugo's WebSocket path on the switch's port. */
    public String wsUrl() {
        return "ws://127.0.0.1:" + server.getLocalPort() + "/connection/websocket";
    }

    /** New connections go to {@code node}. */
    public void routeTo(HeraldProcess node) {
        target = node.port();
    }

    /** New connections are closed at once. */
    public void refuse() {
        target = REFUSE;
    }

    /** Cuts every open connection (both directions). */
    public void dropAll() {
        for (Socket s : open) {
            closeQuietly(s);
        }
    }

    /** The backend port of every connection accepted so far, in order ({@code -1}: refused). */
    public List<Integer> routed() {
        return List.copyOf(routed);
    }

    @Override
    public void close() {
        closeQuietly(server);
        dropAll();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return;
            }
            int port = target;
            routed.add(port);
            if (port == REFUSE) {
                closeQuietly(client);
                continue;
            }
            Socket backend = new Socket();
            try {
                backend.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(backend);
                continue;
            }
            open.add(client);
            open.add(backend);
            Thread.startVirtualThread(() -> pipe(client, backend));
            Thread.startVirtualThread(() -> pipe(backend, client));
        }
    }

    /** Copies until either side closes, then closes both: a cut on one side is a cut on the other. */
    private void pipe(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            byte[] buffer = new byte[16 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // one side is gone: close both below
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing is best effort
        }
    }
}
