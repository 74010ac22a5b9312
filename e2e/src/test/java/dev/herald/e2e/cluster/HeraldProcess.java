package dev.herald.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.engines.testing.ServerProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One Herald node as its own process: {@code java -jar herald-server/target/herald.jar -c <config>} on a free
 * loopback port, with the config a test gives it. Stopped by its pid: {@link #kill()} is SIGKILL (a crashed node),
 * {@link #stop()} SIGTERM (a graceful shutdown). Output goes to e2e/target/cluster-logs for post-mortems.
 */
public final class HeraldProcess implements AutoCloseable {
    public static final String API_KEY = "cluster-api-key";
    public static final String HMAC_SECRET = "cluster-secret-of-at-least-32-bytes!!";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final Path config;
    private final Path log;
    private Process process;

    /**
     * @param name      the node's name ({@code node.name}), also the log file's
     * @param configure fills in the config (engine, namespaces...) on top of the defaults set here: insecure off,
     *                  HMAC tokens, the API key, loopback address
     */
    public HeraldProcess(String name, Consumer<ObjectNode> configure) {
        this.name = name;
        this.port = ServerProcess.freePort();
        try {
            Path dir = Path.of("target", "cluster-logs");
            Files.createDirectories(dir);
            this.log = dir.resolve(name + "-" + port + ".log");
            this.config = dir.resolve(name + "-" + port + ".json");
            ObjectNode c = JSON.createObjectNode();
            c.putObject("http_server").put("address", "127.0.0.1").put("port", port);
            c.putObject("client").putObject("token").put("hmac_secret_key", HMAC_SECRET);
            c.putObject("http_api").put("key", API_KEY);
            c.putObject("node").put("name", name);
            configure.accept(c);
            JSON.writerWithDefaultPrettyPrinter().writeValue(config.toFile(), c);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository's herald.jar, built by the herald-server module before this module's tests run. */
    static Path jar() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path jar = dir.resolve("herald-server/target/herald.jar");
            if (Files.isRegularFile(jar)) {
                return jar;
            }
        }
        throw new IllegalStateException("herald-server/target/herald.jar not found: build herald-server first");
    }

    /** Starts the process and waits (at most 60 s) until its HTTP port answers /health. */
    public HeraldProcess start() {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-jar", jar().toString(), "-c", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("HERALD_"));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return this;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        throw new IllegalStateException(name + " did not listen on " + port + " within 60 s; see " + log);
    }

    /** SIGKILL, as a crash: no goodbye to the cluster, its presence entries are left to expire. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor();
        }
    }

    /** SIGTERM: the graceful shutdown (clients get 3001). */
    public void stop() {
        if (process != null) {
            process.destroy();
            waitFor();
        }
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    public int port() {
        return port;
    }

    public String name() {
        return name;
    }

    public String wsUrl() {
        return "ws://127.0.0.1:" + port + "/connection/websocket";
    }

    public Path log() {
        return log;
    }

    /** POST /api/{method} with the API key; returns the parsed JSON body (HTTP 200 expected). */
    public JsonNode api(String method, String body) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/api/" + method))
                    .timeout(Duration.ofSeconds(15))
                    .header("X-API-Key", API_KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(name + " /api/" + method + " answered " + r.statusCode() + ": "
                        + r.body());
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** GET /health: the status code and body. */
    public HttpResponse<String> health() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        kill();
    }

    private void waitFor() {
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
