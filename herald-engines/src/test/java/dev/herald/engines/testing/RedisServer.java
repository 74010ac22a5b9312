package dev.herald.engines.testing;

import java.util.List;

/** A real redis-server on a free loopback port, without persistence. */
public final class RedisServer extends ServerProcess {
    public RedisServer() {
        super("redis");
    }

    @Override
    protected List<String> command(int port) {
        return List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--protected-mode", "no");
    }

    /** The address as {@code engine.redis.address} takes it. */
    public String address() {
        return "redis://127.0.0.1:" + port();
    }
}
