package dev.herald.bench.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Herald cluster launched by the generator: one redis-server and N Herald nodes, each its own JVM on its own
 * loopback port with {@code engine.type: redis}, all sharing one HMAC secret and API key. As a
 * {@link ServerHandle} it is node 1 (where publications and API calls go) whose CPU is measured over every node
 * ({@link #pids()}); Redis is a helper process ({@link #helperPids()}), reported on its own.
 */
public final class LaunchedCluster implements ServerHandle {
    /** {@code engine.redis.prefix}: the Redis channels of the run are {@code herald-bench.client.<channel>}... */
    public static final String PREFIX = "herald-bench";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RedisProcess redis;
    private final List<LaunchedServer> nodes;
    private final LaunchedServer.Secrets secrets;

    /** What to launch: the server (jar or classpath), where to pin the nodes and Redis, and their options. */
    public record Spec(Path jar, String classpath, int nodes, String nodeCpu, String redisCpu,
                       List<String> jvmOptions, String configTail, String redisBinary) {
    }

    /**
     * Starts Redis, then the nodes one after the other (each healthy before the next), then waits until node 1's
     * {@code info} lists every node: a survey waits only for the nodes its requester knows, so a listing measured
     * earlier would be complete over fewer nodes. Stops whatever it started if any step fails.
     */
    public static LaunchedCluster launch(Spec spec, Path outDir, PrintStream log) throws IOException {
        RedisProcess redis = RedisProcess.launch(spec.redisBinary(), spec.redisCpu(), outDir.resolve("redis"), log);
        LaunchedServer.Secrets secrets = LaunchedServer.Secrets.random();
        List<LaunchedServer> nodes = new ArrayList<>();
        LaunchedCluster cluster = new LaunchedCluster(redis, nodes, secrets);
        try {
            for (int i = 1; i <= spec.nodes(); i++) {
                nodes.add(LaunchedServer.launch(spec.jar(), spec.classpath(), spec.nodeCpu(), spec.jvmOptions(),
                        nodeConfig(i, redis, spec.configTail()), secrets, outDir.resolve("node-" + i), log));
            }
            cluster.awaitMembers(Duration.ofSeconds(30));
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private LaunchedCluster(RedisProcess redis, List<LaunchedServer> nodes, LaunchedServer.Secrets secrets) {
        this.redis = redis;
        this.nodes = nodes;
        this.secrets = secrets;
    }

    /** The node's part of its config: name, Redis engine, then the user's {@code --server-config} on top. */
    static String nodeConfig(int index, RedisProcess redis, String userTail) throws IOException {
        ObjectNode tail = JSON.createObjectNode();
        tail.putObject("node").put("name", "node-" + index);
        ObjectNode engine = tail.putObject("engine").put("type", "redis");
        ObjectNode r = engine.putObject("redis");
        r.putArray("address").add(redis.address());
        r.put("prefix", PREFIX);
        if (userTail != null && !userTail.isBlank()) {
            JSON.readerForUpdating(tail).readValue(userTail);
        }
        return JSON.writeValueAsString(tail);
    }

    private void awaitMembers(Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            seen = info().path("result").path("nodes").size();
            if (seen >= nodes.size()) {
                return;
            }
            sleep(200);
        }
        throw new IOException("node 1 lists " + seen + " of " + nodes.size() + " nodes after "
                + limit.toSeconds() + " s (see the nodes' server.log)");
    }

    /** Node 1's {@code info} answer: every node with its client, user and subscription counts. */
    public JsonNode info() throws IOException {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port()
                            + "/api/info")).timeout(Duration.ofSeconds(5)).header("X-API-Key", apiKey())
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    public RedisProcess redis() {
        return redis;
    }

    public List<LaunchedServer> nodes() {
        return nodes;
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return nodes.getFirst().port();
    }

    @Override
    public long pid() {
        return nodes.getFirst().pid();
    }

    @Override
    public List<Long> pids() {
        return nodes.stream().map(LaunchedServer::pid).toList();
    }

    @Override
    public List<Long> helperPids() {
        return List.of(redis.pid());
    }

    @Override
    public String secret() {
        return secrets.secret();
    }

    @Override
    public String apiKey() {
        return secrets.apiKey();
    }

    @Override
    public String description() {
        return nodes.size() + " nodes, engine redis (redis-server " + redis.version() + ", no persistence, prefix "
                + PREFIX + "); node 1: " + nodes.getFirst().description();
    }

    @Override
    public boolean jcmd() {
        return true;
    }

    /** Stops the nodes (by pid, in parallel: each may wait out its shutdown timeout), then Redis. */
    @Override
    public void close() {
        List<Thread> stops = new ArrayList<>();
        for (LaunchedServer node : nodes) {
            stops.add(Thread.ofPlatform().name("stop-node").start(node::close));
        }
        for (Thread t : stops) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        redis.close();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
