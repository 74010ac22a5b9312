package dev.herald.engines.testing;

import java.util.List;

/** A real nats-server on a free loopback port (core NATS, no JetStream). */
public final class NatsServer extends ServerProcess {
    public NatsServer() {
        super("nats");
    }

    @Override
    protected List<String> command(int port) {
        return List.of(natsBinary(), "-a", "127.0.0.1", "-p", Integer.toString(port));
    }

    /** The address as {@code broker.nats.url} takes it. */
    public String url() {
        return "nats://127.0.0.1:" + port();
    }

    private static String natsBinary() {
        // Debian installs it in /usr/sbin, which is not on every user's PATH.
        return java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/sbin/nats-server"))
                ? "/usr/sbin/nats-server" : "nats-server";
    }
}
