package dev.herald.server;

import dev.herald.core.config.HeraldConfig;

/** The composition root: wires the node, transports and APIs from a validated config. (Being written now.) */
public final class HeraldServer implements AutoCloseable {
    private final HeraldConfig config;

    private HeraldServer(HeraldConfig config) {
        this.config = config;
    }

    /** Starts listening; returns once the port is bound. */
    public static HeraldServer start(HeraldConfig config) throws InterruptedException {
        return new HeraldServer(config);
    }

    /** The bound HTTP port (useful with port 0). */
    public int port() {
        return config.httpServer.port;
    }

    /** Blocks until {@link #close()} is called (from a shutdown hook or another thread). */
    public void awaitTermination() throws InterruptedException {
    }

    /** Graceful shutdown: stop accepting, disconnect clients with 3001, finish in-flight API calls. */
    @Override
    public void close() {
    }
}
