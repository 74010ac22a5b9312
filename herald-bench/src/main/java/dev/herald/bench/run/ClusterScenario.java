package dev.herald.bench.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.bench.load.WorkerReport;
import dev.herald.bench.load.WorkerStatus;
import dev.herald.bench.server.LaunchedCluster;
import dev.herald.bench.server.LaunchedServer;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * {@code bin/bench cluster}: N Herald nodes over one redis-server (issue 12). The subscribers of one channel are
 * spread evenly over the nodes, with each user's connections on different nodes; publications go through node
 * 1's HTTP API at {@code --rate}. Measured over one window: delivery latency by node (node 1's own subscribers and
 * the cross-node ones), server CPU per delivery summed over the nodes, Redis CPU and Redis commands per
 * publication ({@link ClusterProbe}). Then, with the connections still up, sequential cluster-wide
 * {@code connections} calls by user against node 1. Last (unless {@code --no-single-node}), the cluster is stopped
 * and the same load runs against one node with the memory engine, with the same generator shape (as many
 * connection groups, the same users), so that the CPU-per-delivery ratio compares two runs minutes apart on the
 * same CPUs rather than figures from different days.
 */
public final class ClusterScenario {
    static final String CHANNEL = "bench";

    private ClusterScenario() {
    }

    /** The load both halves share: subscribers, rate, users, how many connection groups. */
    private record Load(int subscribers, double rate, int connsPerUser, int users, int groups) {
    }

    public static void run(BenchRun run) throws Exception {
        if (!(run.server() instanceof LaunchedCluster cluster)) {
            throw new IllegalArgumentException("cluster launches its own redis-server and nodes: --url is not "
                    + "supported");
        }
        BenchOptions o = run.options();
        int n = o.connections != null ? o.connections : 5_000;
        int perUser = o.connsPerUser != null ? o.connsPerUser : 3;
        Load load = new Load(n, o.rate != null ? o.rate : 10, perUser, (n + perUser - 1) / perUser,
                cluster.nodes().size());
        Report report = run.report();
        report.param("nodes", load.groups()).param("subscribers", n)
                .param("subscribers_per_node", n / load.groups() + (n % load.groups() == 0 ? "" : " (+1 on some)"))
                .param("channel", CHANNEL).param("rate_per_s", load.rate())
                .param("published_through", "node 1 HTTP API")
                .param("users", load.users() + " (" + perUser + " connections each, on different nodes)")
                .param("connections_calls", o.calls).param("payload_bytes", o.payload).param("protocol", o.protocol)
                .param("warmup_s", DeliveryScenarios.warmup(o)).param("duration_s", DeliveryScenarios.duration(o))
                .param("pinning", "nodes on CPU " + o.serverCpu + ", Redis on CPU " + redisCpu(o)
                        + ", generator as bin/bench pins it: every server process shares those CPUs");

        List<Integer> ports = cluster.nodes().stream().map(LaunchedServer::port).toList();
        DeliveryScenarios.Measurement clusterRun;
        try (ClusterProbe probe = new ClusterProbe(cluster)) {
            List<Integer> workersPerNode = startSpread(run, ports, load);
            WorkerStatus s = DeliveryScenarios.connect(run);
            int ready = (int) s.ready();
            recordSpread(report, awaitCounted(cluster, ready));
            clusterRun = DeliveryScenarios.measure(run, seq -> new HttpPublisher.Target(CHANNEL, ready),
                    load.rate(), (double) ready * load.rate(), probe);
            if (clusterRun == null) {
                return;
            }
            probe.record(report, number(report, "publications_ok"), number(report, "deliveries_received"));
            double crossP99 = latencyByNode(run, report, workersPerNode);
            report.target("cross-node delivery p99 at " + fmt(load.rate()) + " msg/s",
                    "<= 150 ms (issue 12, at 100 msg/s)", String.format("%.1f ms (all subscribers %.1f ms)",
                            crossP99, clusterRun.p99Millis()),
                    load.rate() >= 100 ? crossP99 <= 150 : null);
            connectionsCalls(run, load);
        }
        run.closeWorkers();
        cluster.close();
        if (o.singleNode) {
            singleNode(run, load, clusterRun);
        } else {
            report.target("server CPU per delivery, cluster vs one node", "<= 1.3 x",
                    String.format("%.2f us summed over the nodes (single node not run: --no-single-node)",
                            clusterRun.cpuPerDeliveryMicros()), null);
        }
    }

    private static String redisCpu(BenchOptions o) {
        return o.redisCpu != null ? o.redisCpu : o.serverCpu;
    }

    /**
     * Connections {@code [k n / groups, (k+1) n / groups)} go to {@code ports[k]}; user {@code u<i % users>}, so
     * a user's connections are {@code users} apart and land on different nodes. Returns the workers per group.
     */
    private static List<Integer> startSpread(BenchRun run, List<Integer> ports, Load load) throws IOException {
        List<Integer> workers = new ArrayList<>();
        int n = load.subscribers();
        for (int k = 0; k < ports.size(); k++) {
            int from = (int) ((long) n * k / ports.size());
            int to = (int) ((long) n * (k + 1) / ports.size());
            workers.add(run.startWorkers(ports.get(k), ports.size(), from, to - from, "shared:" + CHANNEL,
                    load.connsPerUser(), load.users(), 0));
        }
        return workers;
    }

    /**
     * Node 1's {@code info} once its nodes' client counts add up to {@code ready}, or after 10 s: the counts of the
     * other nodes come with their heartbeats (every 3 s), so right after connecting they lag behind.
     */
    private static JsonNode awaitCounted(LaunchedCluster cluster, int ready) throws IOException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        JsonNode info = cluster.info();
        while (clients(info) < ready && System.nanoTime() < deadline) {
            BenchRun.sleepMillis(250);
            info = cluster.info();
        }
        return info;
    }

    private static long clients(JsonNode info) {
        long sum = 0;
        for (JsonNode node : info.path("result").path("nodes")) {
            sum += node.path("num_clients").asLong();
        }
        return sum;
    }

    /** Each node's clients and subscriptions as node 1's {@code info} lists them: the spread, checked. */
    private static void recordSpread(Report report, JsonNode info) {
        Map<String, String> spread = new LinkedHashMap<>();
        for (JsonNode node : info.path("result").path("nodes")) {
            spread.put(node.path("name").asText(), node.path("num_clients").asLong() + " clients, "
                    + node.path("num_users").asLong() + " users, " + node.path("num_subs").asLong() + " subs");
        }
        report.result("nodes_in_info", spread.size()).extra("clients_by_node", spread);
        spread.forEach((name, what) -> report.result("clients on " + name, what));
    }

    /**
     * Delivery latency of each node's subscribers; returns the p99 of the subscribers on nodes other than the
     * publishing one (the cross-node deliveries).
     */
    private static double latencyByNode(BenchRun run, Report report, List<Integer> workersPerNode) {
        List<WorkerReport> reports = run.reports();
        Histogram cross = new Histogram(java.util.concurrent.TimeUnit.HOURS.toMicros(1), 3);
        int at = 0;
        for (int k = 0; k < workersPerNode.size(); k++) {
            List<WorkerReport> mine = reports.subList(at, at + workersPerNode.get(k));
            at += workersPerNode.get(k);
            Histogram h = BenchRun.merge(mine, WorkerReport::measuredLatency);
            report.latency("delivery on node " + (k + 1) + (k == 0 ? " (publishing node)" : ""), h);
            if (k > 0) {
                cross.add(h);
            }
        }
        report.latency("delivery cross-node (nodes 2.." + workersPerNode.size() + ")", cross);
        return cross.getTotalCount() == 0 ? Double.NaN : cross.getValueAtPercentile(99) / 1000.0;
    }

    /** Sequential cluster-wide {@code connections} calls by user against node 1, after unmeasured ones. */
    private static void connectionsCalls(BenchRun run, Load load) {
        BenchOptions o = run.options();
        Report report = run.report();
        String uri = "/api/connections";
        try (SessionsScenario.PlainClient http = new SessionsScenario.PlainClient(run.server().host(),
                run.server().port())) {
            SplittableRandom random = new SplittableRandom(7);
            IntFunction<String> body = i -> "{\"user\":\"u" + random.nextInt(load.users()) + "\"}";
            SessionsScenario.phase(run, http, uri, Math.max(500, o.calls / 2), "connections warm-up", body);
            if (o.settleJit) {
                settleJit(run, http, uri, body, o.settleRounds);
            }
            BenchRun.Load l0 = run.load();
            SessionsScenario.Phase calls = SessionsScenario.phase(run, http, uri, o.calls, "connections", body);
            run.recordOtherLoad("connections calls", l0, run.load());
            report.result("connections_calls_ok", calls.ok).result("connections_calls_failed", calls.failed)
                    .result("connections_calls_incomplete (a node missing)", calls.incomplete)
                    .result("connections_per_call_mean", calls.ok == 0 ? 0 : (double) calls.listed / calls.ok)
                    .result("connections_call_cluster_cpu_ms (summed over the nodes)", calls.cpuMillisPerCall());
            if (calls.firstError != null) {
                report.note("connections errors: " + calls.failed + ", first: " + calls.firstError);
            }
            report.latency("cluster connections by user (HTTP round trip)", calls.latency);
            double p99 = calls.latency.getTotalCount() == 0 ? Double.NaN
                    : calls.latency.getValueAtPercentile(99) / 1000.0;
            report.target("cluster connections by user p99", "<= 5 ms",
                    String.format("%.3f ms (%d incomplete)", p99, calls.incomplete),
                    calls.ok > 0 ? p99 <= 5.0 && calls.incomplete == 0 : null);
        }
    }

    /**
     * More rounds of 500 calls until one in which the nodes' JIT compiler threads used under 5% of the wall time
     * (at most {@code maxRounds}, 10 by default): the nodes share a CPU, and a compiler's time slice would become
     * the calls' latency tail.
     */
    private static void settleJit(BenchRun run, SessionsScenario.Client http, String uri, IntFunction<String> body,
                                  int maxRounds) {
        int rounds = 0;
        double share = Double.NaN;
        while (rounds < maxRounds) {
            Map<String, Long> threads0 = run.serverThreads();
            long t0 = System.nanoTime();
            SessionsScenario.phase(run, http, uri, 500, "connections: warm-up until the JIT settles", body);
            share = BenchRun.jitNanos(threads0, run.serverThreads()) / (double) (System.nanoTime() - t0);
            rounds++;
            if (share < 0.05) {
                break;
            }
        }
        run.report().result("connections_jit_settle_rounds (500 calls each)", rounds)
                .result("connections_jit_share_of_last_settle_round", share);
    }

    /**
     * The same load against one node (memory engine, the same pinning and JVM options), with its own report next to
     * the cluster's; the main report gets its CPU per delivery and latency and the ratio target.
     */
    private static void singleNode(BenchRun run, Load load, DeliveryScenarios.Measurement cluster) {
        BenchOptions o = run.options();
        Report report = run.report();
        Path dir = run.runDir().resolve("single-node");
        Report single = new Report("cluster-single-node", run.report().header("command")
                + " (its single-node half)");
        DeliveryScenarios.Measurement one = null;
        try (LaunchedServer server = LaunchedServer.launch(Files.exists(o.serverJar) ? o.serverJar : null,
                o.serverClasspath, o.serverCpu, o.serverJvmOptions(), o.serverConfig, dir, run.out());
             BenchRun b = new BenchRun(o, server, single, run.out(), dir)) {
            single.param("nodes", 1).param("engine", "memory").param("subscribers", load.subscribers())
                    .param("connection_groups", load.groups() + " (as in the cluster run, all to this node)")
                    .param("rate_per_s", load.rate()).param("channel", CHANNEL);
            startSpread(b, Collections.nCopies(load.groups(), server.port()), load);
            WorkerStatus s = DeliveryScenarios.connect(b);
            int ready = (int) s.ready();
            one = DeliveryScenarios.measure(b, seq -> new HttpPublisher.Target(CHANNEL, ready), load.rate(),
                    (double) ready * load.rate());
        } catch (Exception e) {
            single.note("single-node run failed: " + e);
            report.note("single-node run failed: " + e);
        }
        try {
            List<Path> files = single.write(o.reportDir());
            report.result("single_node_report", files.get(1).toString());
        } catch (IOException e) {
            report.note("single-node report not written: " + e.getMessage());
        }
        if (one == null) {
            return;
        }
        double ratio = cluster.cpuPerDeliveryMicros() / one.cpuPerDeliveryMicros();
        Object withoutJit = single.result("server_cpu_per_delivery_us_without_jit");
        report.result("single_node_server_cpu_per_delivery_us", one.cpuPerDeliveryMicros())
                .result("single_node_server_cpu_per_delivery_us_without_jit", withoutJit)
                .result("single_node_deliveries_per_s", one.deliveriesPerSecond())
                .result("single_node_delivery_p99_ms", one.p99Millis())
                .result("cluster_to_single_node_cpu_per_delivery", ratio)
                .latency("single node: delivery (measured)", one.latency());
        report.target("server CPU per delivery, " + load.groups() + " nodes summed vs one node", "<= 1.3 x",
                String.format("%.2f us vs %.2f us (%.2f x)", cluster.cpuPerDeliveryMicros(),
                        one.cpuPerDeliveryMicros(), ratio), ratio <= 1.3);
    }

    private static long number(Report report, String key) {
        return report.result(key) instanceof Number v ? v.longValue() : 0;
    }

    private static String fmt(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }
}
