package dev.herald.e2e.cluster;

import dev.herald.engines.testing.ServerProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real redis-server with an append-only file synced on every write, so that a SIGKILL and a restart on the same
 * port keep every acknowledged write, as a production Redis with persistence does: the outage test can then demand
 * that every publication the API acknowledged reaches every client. (The engines' {@code RedisServer} runs without
 * persistence, where a restart loses the streams and a new epoch begins.)
 */
public final class DurableRedisServer extends ServerProcess {
    public DurableRedisServer() {
        super("redis-durable");
        // A left-over append-only file of an earlier run on the same port would be loaded: start empty.
        Path dir = dir(port());
        try (var files = Files.exists(dir) ? Files.walk(dir) : java.util.stream.Stream.<Path>empty()) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path dir(int port) {
        return Path.of("target", "servers", "redis-durable-" + port).toAbsolutePath();
    }

    @Override
    protected List<String> command(int port) {
        Path dir = dir(port);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--protected-mode", "no", "--dir", dir.toString(), "--save", "",
                "--appendonly", "yes", "--appendfsync", "always");
    }

    /** The address as {@code engine.redis.address} takes it. */
    public String address() {
        return "redis://127.0.0.1:" + port();
    }
}
