package dev.herald.bench.server;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server launched by the generator for a cluster run: a free loopback port, no persistence (no RDB
 * snapshots, no AOF), optionally pinned with {@code taskset}, its output in the run folder. Stopped by its own pid.
 */
public final class RedisProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final String version;

    /**
     * @param binary the redis-server executable ({@code redis-server} from the PATH by default)
     * @param cpu    CPU list for taskset, or null/empty not to pin
     */
    public static RedisProcess launch(String binary, String cpu, Path outDir, PrintStream log) throws IOException {
        Files.createDirectories(outDir);
        int port = freePort();
        List<String> cmd = new ArrayList<>();
        if (cpu != null && !cpu.isEmpty()) {
            cmd.addAll(List.of("taskset", "-c", cpu));
        }
        cmd.addAll(List.of(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--protected-mode", "no", "--daemonize", "no", "--dir", outDir.toString()));
        Path logFile = outDir.resolve("redis.log");
        log.println("starting redis: " + String.join(" ", cmd));
        Process process;
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile())).start();
        } catch (IOException e) {
            throw new IOException("cannot start " + binary + " (apt-get install redis-server; bin/test installs it, "
                    + "or pass --redis-server PATH): " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(binary + " exited with " + process.exitValue() + "; see " + logFile);
            }
            try (RedisWire wire = new RedisWire("127.0.0.1", port, 1_000)) {
                if ("PONG".equals(wire.call("PING"))) {
                    String server = wire.text("INFO", "server");
                    return new RedisProcess(process, port, field(server, "redis_version"));
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            pause();
        }
        process.destroyForcibly();
        throw new IOException(binary + " did not answer PING on port " + port + " within 15 s; see " + logFile);
    }

    private RedisProcess(Process process, int port, String version) {
        this.process = process;
        this.port = port;
        this.version = version;
    }

    public int port() {
        return port;
    }

    /** The address as {@code engine.redis.address} takes it. */
    public String address() {
        return "redis://127.0.0.1:" + port;
    }

    /** taskset execs redis-server, so the child's pid is the server's. */
    public long pid() {
        return process.pid();
    }

    public String version() {
        return version;
    }

    /** A new connection to this Redis (the caller closes it). */
    public RedisWire connect(int timeoutMillis) throws IOException {
        return new RedisWire("127.0.0.1", port, timeoutMillis);
    }

    /**
     * {@code calls} of every command so far, from {@code INFO commandstats} (lines such as
     * {@code cmdstat_publish:calls=12,usec=40,...}), keyed by the command's name ({@code publish}, {@code evalsha}).
     */
    public Map<String, Long> commandCalls() throws IOException {
        Map<String, Long> calls = new LinkedHashMap<>();
        try (RedisWire wire = connect(5_000)) {
            for (String line : wire.text("INFO", "commandstats").split("\r?\n")) {
                if (!line.startsWith("cmdstat_")) {
                    continue;
                }
                int colon = line.indexOf(':');
                String name = line.substring("cmdstat_".length(), colon);
                for (String kv : line.substring(colon + 1).split(",")) {
                    if (kv.startsWith("calls=")) {
                        calls.put(name, Long.parseLong(kv.substring("calls=".length())));
                    }
                }
            }
        }
        return calls;
    }

    static String field(String info, String name) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return "?";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM by pid (nothing to save), SIGKILL after 10 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
