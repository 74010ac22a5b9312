package dev.herald.bench.run;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every option of the load scenarios; a scenario reads the ones it needs and fills unset ones (null) with its own
 * defaults.
 */
public final class BenchOptions {
    @Option(names = {"-n", "--connections", "--subscribers"},
            description = "Connections (subscribers for fanout and cluster).")
    public Integer connections;

    @Option(names = "--protocol", description = "json or protobuf (default json).")
    public String protocol = "json";

    @Option(names = "--rate", description = "Publications per second (fanout default 10, channels 1000).")
    public Double rate;

    @Option(names = "--duration", description = "Measured seconds (default 20; idle: hold time, default 30).")
    public Integer duration;

    @Option(names = "--warmup", description = "Warm-up seconds before measuring (default 5).")
    public Integer warmup;

    @Option(names = "--payload", description = "Publication payload bytes (default 64).")
    public int payload = 64;

    @Option(names = "--group-size", description = "channels: connections per group channel (default 10).")
    public int groupSize = 10;

    @Option(names = "--channel-mode", description = "idle: shared (one channel for all) or unique (one each).")
    public String channelMode = "shared";

    @Option(names = "--calls", description = "sessions, cluster: connections-by-user calls (default 2000).")
    public int calls = 2000;

    @Option(names = "--cel-calls", description = "sessions: CEL scan calls (default 50).")
    public int celCalls = 50;

    @Option(names = "--cel", description = "sessions: the CEL expression (default meta.shard == 7).")
    public String cel = "meta.shard == 7";

    @Option(names = "--api-client", description = "sessions: HTTP client timing the calls: plain (one blocking "
            + "keep-alive socket, default) or jdk (java.net.http).")
    public String apiClient = "plain";

    @Option(names = "--settle-jit", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "sessions, fanout, channels, connect: after the warm-up, keep warming in rounds until the "
                    + "server's JIT threads use under 5%% of a round (default; --no-settle-jit measures right after "
                    + "the fixed warm-up).")
    public boolean settleJit = true;

    @Option(names = "--settle-rounds", description = "cluster: at most this many rounds of 500 connections calls "
            + "while the nodes' JIT settles (default 10).")
    public int settleRounds = 10;

    @Option(names = "--conns-per-user",
            description = "Connections sharing one user id (sessions and cluster default 3).")
    public Integer connsPerUser;

    @Option(names = "--warmup-connections",
            description = "connect: connections opened and closed first (default: as many as measured, at most 10000).")
    public Integer warmupConnections;

    // ---- the server ----

    @Option(names = "--url", description = "Attach to a running server, e.g. http://127.0.0.1:8000 (needs --pid).")
    public String url;

    @Option(names = "--pid", description = "Pid of the attached server, for /proc measurements.")
    public Long pid;

    @Option(names = "--config", description = "Attached server's config file: HMAC secret and API key are read from it.")
    public Path config;

    @Option(names = "--secret", description = "Attached server's client.token.hmac_secret_key.")
    public String secret;

    @Option(names = "--api-key", description = "Attached server's http_api.key.")
    public String apiKey;

    @Option(names = "--server-jar", description = "Jar to launch (default herald-server/target/herald.jar).")
    public Path serverJar = Path.of("herald-server/target/herald.jar");

    @Option(names = "--server-classpath", description = "Launch with this classpath instead of the jar.")
    public String serverClasspath;

    @Option(names = "--server-cpu", description = "CPU list the launched server is pinned to (taskset; '' = none).")
    public String serverCpu = "0";

    /**
     * The options ./herald starts the server with (keep in step with the launcher's JVM defaults). The launched
     * server runs java directly, pinned to one CPU, where the JVM would choose Serial GC by itself: the collector
     * has to be explicit.
     */
    public static final List<String> SERVER_JVM_DEFAULTS = List.of("-XX:+UseCompactObjectHeaders",
            "-XX:+ExitOnOutOfMemoryError", "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow", "-XX:TrimNativeHeapInterval=30000",
            "-XX:+UseG1GC", "-XX:G1PeriodicGCInterval=30000", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30");

    /** The defaults that go when {@code --server-jvm-opts} picks another collector (as ./herald drops them). */
    private static boolean g1Only(String option) {
        return option.matches("-XX:\\+Use[A-Za-z0-9]+GC") || option.startsWith("-XX:G1")
                || option.contains("HeapFreeRatio");
    }

    @Option(names = "--server-jvm-opts", description = "Extra JVM options of the launched server, appended after "
            + "./herald's defaults (so they win; a -XX:+Use...GC here replaces the default G1, as in ./herald).")
    public String serverJvmOpts = "";

    @Option(names = "--server-config", description = "JSON object merged into the launched server's config.")
    public String serverConfig;

    // ---- the cluster scenario ----

    @Option(names = "--nodes", description = "cluster: Herald nodes (default 3), all over one redis-server.")
    public int nodes = 3;

    @Option(names = "--single-node", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "cluster: after the cluster, run the same load against one node with the memory engine, "
                    + "for the CPU-per-delivery ratio (default; --no-single-node skips it).")
    public boolean singleNode = true;

    @Option(names = "--redis-server", description = "cluster: the redis-server executable (default from the PATH).")
    public String redisServer = "redis-server";

    @Option(names = "--redis-cpu", description = "cluster: CPU list Redis is pinned to (default: --server-cpu).")
    public String redisCpu;

    @Option(names = "--jfr", description = "Record the server with JFR over the measured window and summarise it.")
    public boolean jfr;

    @Option(names = "--no-gc", description = "Do not run a full GC in the server before memory samples.")
    public boolean noGc;

    // ---- the generator ----

    @Option(names = "--per-process", description = "Connections per generator process (default 15000).")
    public int perProcess = 15_000;

    @Option(names = "--source-ips", description = "127.0.0.x source addresses per generator process (default 8).")
    public int sourceIps = 8;

    @Option(names = "--threads", description = "Event loop threads per generator process (default 1).")
    public int threads = 1;

    @Option(names = "--connect-rate", description = "New connections per second at most (default 5000).")
    public int connectRate = 5_000;

    @Option(names = "--concurrency", description = "Connections being set up at once at most (default 200).")
    public int concurrency = 200;

    @Option(names = "--worker-jvm-opts", description = "JVM options of generator worker processes.")
    public String workerJvmOpts = "-XX:+UseCompactObjectHeaders -Xmx2g --sun-misc-unsafe-memory-access=allow "
            + "--enable-native-access=ALL-UNNAMED";

    @Option(names = "--out", description = "Report directory (default herald-bench/reports/<UTC date>-<short "
            + "commit of the checkout whose server jar is measured>, '-dirty' appended when the server's sources have "
            + "uncommitted changes).")
    public Path out;

    @Option(names = "--floor", negatable = true, description = "fanout: also measure the loopback write(2) floor.")
    public boolean floor;

    @Option(names = "--quiet", description = "No progress lines.")
    public boolean quiet;

    /**
     * The report directory: {@code --out}, or else {@link ReportDirs#forCheckout()}, chosen once so that a run's
     * reports and its artifacts (under {@code runs/}) land in the same folder even across midnight.
     */
    public Path reportDir() {
        if (out == null) {
            out = ReportDirs.forCheckout();
        }
        return out;
    }

    /** The launched server's JVM options: ./herald's defaults, then {@code --server-jvm-opts}. */
    public List<String> serverJvmOptions() {
        List<String> extra = Arrays.stream(serverJvmOpts == null ? new String[0] : serverJvmOpts.trim().split("\\s+"))
                .filter(s -> !s.isEmpty()).toList();
        boolean ownGc = extra.stream().anyMatch(s -> s.matches("-XX:\\+Use[A-Za-z0-9]+GC"));
        List<String> all = new ArrayList<>();
        for (String d : SERVER_JVM_DEFAULTS) {
            if (!(ownGc && g1Only(d))) {
                all.add(d);
            }
        }
        all.addAll(extra);
        return all;
    }

    public boolean protobuf() {
        return "protobuf".equalsIgnoreCase(protocol);
    }
}
