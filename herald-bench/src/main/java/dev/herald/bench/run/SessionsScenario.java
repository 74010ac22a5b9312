package dev.herald.bench.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.bench.load.WorkerStatus;
import dev.herald.bench.server.ProcStats;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The sessions API at scale: N connections (several per user, each with private meta {@code {"shard": i % 1000}}),
 * then sequential {@code connections} calls by user and by a CEL expression over the HTTP API, timed end to end.
 * After a fixed warm-up, more warm-up rounds run until the server's JIT compiler threads are nearly idle
 * ({@code --no-settle-jit} skips that), so the window measures the steady state rather than compilation.
 * The round trip is timed from before the request is written until the whole response body has been read, before
 * the generator parses it. By default the calls go through {@link PlainHttpClient} (one blocking keep-alive socket
 * on the calling thread); {@code --api-client jdk} uses java.net.http as earlier reports did, whose selector and
 * executor threads add their own delays to the tail.
 */
public final class SessionsScenario {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int META_SHARDS = 1_000;

    private SessionsScenario() {
    }

    public static void run(BenchRun run) throws Exception {
        BenchOptions o = run.options();
        int n = o.connections != null ? o.connections : 15_000;
        int perUser = o.connsPerUser != null ? o.connsPerUser : 3;
        Report report = run.report();
        report.param("connections", n).param("connections_per_user", perUser)
                .param("meta", "{\"shard\": i % " + META_SHARDS + "}").param("by_user_calls", o.calls)
                .param("cel_calls", o.celCalls).param("cel_expression", o.cel);
        run.startWorkers(0, n, "shared:bench", perUser, META_SHARDS);
        WorkerStatus s = DeliveryScenarios.connect(run);
        int users = (n + perUser - 1) / perUser;
        boolean jdk = "jdk".equals(o.apiClient);
        if (!jdk && !"plain".equals(o.apiClient)) {
            throw new IllegalArgumentException("--api-client must be plain or jdk");
        }
        report.param("api_client", jdk ? "jdk (java.net.http)" : "plain (blocking keep-alive socket)");
        Client http = jdk ? new JdkClient(run.server().host(), run.server().port())
                : new PlainClient(run.server().host(), run.server().port());
        String uri = "/api/connections";
        try {
            String probe = call(http, uri, run.server().apiKey(), "{\"user\":\"u0\"}", new long[1]).error;
            if (probe != null) {
                report.note("sessions API `connections` not available, nothing measured: " + probe);
                report.target("sessions API: connections by user p99", "<= 1 ms", "not available", null);
                report.target("sessions API: CEL scan of 15k connections", "<= 20 ms", "not available", null);
                return;
            }
            SplittableRandom random = new SplittableRandom(7);
            java.util.function.IntFunction<String> userBody = i -> "{\"user\":\"u" + random.nextInt(users) + "\"}";
            String celBody = "{\"expression\":" + JSON.writeValueAsString(o.cel) + "}";
            // Unmeasured calls first, so that the measured ones run compiled code on both sides.
            phase(run, http, uri, 2_000, "warm-up", userBody);
            phase(run, http, uri, 30, "warm-up", i -> celBody);
            if (o.settleJit) {
                settleJit(run, http, uri, userBody, celBody);
            }
            run.startJfr();
            BenchRun.Load l0 = run.load();
            java.util.Map<String, Long> threads0 = run.serverThreads();
            Phase byUser = phase(run, http, uri, o.calls, "by-user", userBody);
            Phase cel = phase(run, http, uri, o.celCalls, "cel", i -> celBody);
            run.recordServerThreads("by-user and CEL calls", threads0, run.serverThreads());
            run.recordOtherLoad("calls", l0, run.load());
            run.stopJfr();
            report.result("by_user_calls_ok", byUser.ok).result("by_user_connections_per_call_mean",
                            byUser.ok == 0 ? 0 : (double) byUser.listed / byUser.ok)
                    .result("by_user_server_cpu_per_call_ms", byUser.cpuMillisPerCall())
                    .result("by_user_server_cpu_per_call_ms_without_jit", byUser.cpuMillisPerCallWithoutJit())
                    .result("cel_calls_ok", cel.ok).result("cel_connections_per_call_mean",
                            cel.ok == 0 ? 0 : (double) cel.listed / cel.ok)
                    .result("cel_server_cpu_per_call_ms", cel.cpuMillisPerCall())
                    .result("cel_server_cpu_per_call_ms_without_jit", cel.cpuMillisPerCallWithoutJit())
                    .result("connections_ready", s.ready());
            if (byUser.firstError != null) {
                report.note("by-user errors: " + byUser.failed + ", first: " + byUser.firstError);
            }
            if (cel.firstError != null) {
                report.note("CEL errors: " + cel.failed + ", first: " + cel.firstError);
            }
            report.latency("connections by user (HTTP round trip)", byUser.latency)
                    .latency("connections by CEL (HTTP round trip)", cel.latency);
            double userP99 = byUser.latency.getTotalCount() == 0 ? Double.NaN
                    : byUser.latency.getValueAtPercentile(99) / 1000.0;
            double celP99 = cel.latency.getTotalCount() == 0 ? Double.NaN
                    : cel.latency.getValueAtPercentile(99) / 1000.0;
            report.target("sessions API: connections by user p99", "<= 1 ms", String.format("%.3f ms", userP99),
                    byUser.ok > 0 ? userP99 <= 1.0 : null);
            report.target("sessions API: CEL scan of " + s.ready() + " connections (p99)", "<= 20 ms",
                    cel.ok > 0 ? String.format("%.2f ms", celP99) : "failed: " + cel.firstError,
                    cel.ok > 0 ? celP99 <= 20.0 : null);
        } finally {
            http.close();
        }
    }

    /**
     * Keeps warming with the measured mix (1,000 by-user and 5 CEL calls a round) until a round in which the
     * server's JIT compiler threads used under 5% of the wall time, at most 60 rounds: on a one-core server the
     * compiler threads otherwise compete with the event loop through the measured window and their time slices
     * become the latency tail. Reports the rounds and the last round's compiler share.
     */
    private static void settleJit(BenchRun run, Client http, String uri,
                                  java.util.function.IntFunction<String> userBody, String celBody) {
        int rounds = 0;
        double share = Double.NaN;
        while (rounds < 60) {
            java.util.Map<String, Long> threads0 = run.serverThreads();
            long t0 = System.nanoTime();
            phase(run, http, uri, 1_000, "warm-up until the JIT settles", userBody);
            phase(run, http, uri, 5, "warm-up until the JIT settles", i -> celBody);
            share = BenchRun.jitNanos(threads0, run.serverThreads()) / (double) (System.nanoTime() - t0);
            rounds++;
            if (share < 0.05) {
                break;
            }
        }
        run.report().result("jit_settle_rounds (1,000 by-user + 5 CEL calls each)", rounds)
                .result("jit_share_of_last_settle_round", share);
    }

    /** @param complete false when a cluster listing says a node did not answer in time */
    private record Answer(int listed, String error, boolean complete) {
        Answer(int listed, String error) {
            this(listed, error, true);
        }
    }

    /** The calls of one phase: their round trips, outcomes and the server's CPU over them. */
    static final class Phase {
        final Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
        long ok;
        long failed;
        long listed;
        /** Answers that said {@code "complete": false} (a node missing from a cluster listing). */
        long incomplete;
        String firstError;
        ProcStats.Delta cpu;
        long jitNanos;

        double cpuMillisPerCall() {
            return ok + failed == 0 ? Double.NaN : cpu.cpuNanos() / 1e6 / (ok + failed);
        }

        double cpuMillisPerCallWithoutJit() {
            return ok + failed == 0 ? Double.NaN : (cpu.cpuNanos() - jitNanos) / 1e6 / (ok + failed);
        }
    }

    static Phase phase(BenchRun run, Client http, String uri, int calls, String label,
                               java.util.function.IntFunction<String> body) {
        Phase phase = new Phase();
        java.util.Map<String, Long> threads0 = run.serverThreads();
        ProcStats.Sample p0 = run.sample();
        long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        long nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        long[] timing = new long[1];
        for (int i = 0; i < calls && System.nanoTime() < limit; i++) {
            long t0 = System.nanoTime();
            Answer a = call(http, uri, run.server().apiKey(), body.apply(i), timing);
            long nanos = a.error == null ? timing[0] : System.nanoTime() - t0;
            phase.latency.recordValue(Math.min(nanos / 1000, phase.latency.getHighestTrackableValue()));
            if (a.error == null) {
                phase.ok++;
                phase.listed += a.listed;
                if (!a.complete) {
                    phase.incomplete++;
                }
            } else {
                phase.failed++;
                if (phase.firstError == null) {
                    phase.firstError = a.error;
                }
            }
            if (System.nanoTime() > nextProgress) {
                run.progress(label, run.status(), String.format("%d/%d calls", i + 1, calls));
                nextProgress += TimeUnit.SECONDS.toNanos(1);
            }
        }
        phase.cpu = run.sample().minus(p0);
        phase.jitNanos = BenchRun.jitNanos(threads0, run.serverThreads());
        return phase;
    }

    /** Sends one call and returns the status and body; the caller times it. */
    interface Client extends AutoCloseable {
        PlainHttpClient.Response post(String path, String apiKey, byte[] body) throws Exception;

        @Override
        void close();
    }

    static final class PlainClient implements Client {
        private final PlainHttpClient client;

        PlainClient(String host, int port) {
            client = new PlainHttpClient(host, port);
        }

        @Override
        public PlainHttpClient.Response post(String path, String apiKey, byte[] body) throws Exception {
            return client.post(path, apiKey, body);
        }

        @Override
        public void close() {
            client.close();
        }
    }

    private static final class JdkClient implements Client {
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        private final String base;

        JdkClient(String host, int port) {
            base = "http://" + host + ":" + port;
        }

        @Override
        public PlainHttpClient.Response post(String path, String apiKey, byte[] body) throws Exception {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(30)).header("X-API-Key", apiKey)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            return new PlainHttpClient.Response(r.statusCode(), r.body());
        }

        @Override
        public void close() {
            http.close();
        }
    }

    /** One call; {@code timing[0]} gets the round trip in nanoseconds (request written to body read). */
    private static Answer call(Client http, String uri, String apiKey, String body, long[] timing) {
        try {
            long t0 = System.nanoTime();
            PlainHttpClient.Response r = http.post(uri, apiKey, body.getBytes(StandardCharsets.UTF_8));
            timing[0] = System.nanoTime() - t0;
            if (r.status() != 200) {
                return new Answer(0, "HTTP " + r.status() + " " + r.text().trim());
            }
            JsonNode json = JSON.readTree(r.body());
            if (json.has("error")) {
                return new Answer(0, json.get("error").toString());
            }
            JsonNode result = json.path("result");
            return new Answer(result.path("connections").size(), null, result.path("complete").asBoolean(true));
        } catch (Exception e) {
            return new Answer(0, e.toString());
        }
    }
}
