package dev.herald.bench.run;

import dev.herald.bench.server.LaunchedCluster;
import dev.herald.bench.server.ProcStats;
import dev.herald.bench.server.RedisWire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a cluster run measures besides the nodes' summed CPU, over exactly the measured window: each node's CPU,
 * Redis's CPU ({@code /proc/<redis pid>/stat}), Redis's command counts ({@code INFO commandstats}: PUBLISH,
 * EVALSHA, EVAL) and the messages Redis carried, counted by a PSUBSCRIBE {@code <prefix>.*} connection of its own
 * and split into publication channels ({@code <prefix>.client.*}) and control traffic ({@code <prefix>.control},
 * {@code <prefix>.node.*}: heartbeats, surveys). The control messages are PUBLISH commands too, so the commands
 * spent on publications are the PUBLISH/EVAL(SHA) calls less the control messages.
 */
final class ClusterProbe implements DeliveryScenarios.Window, AutoCloseable {
    private final LaunchedCluster cluster;
    private final RedisWire subscriber;
    private final Thread reader;
    private final AtomicLong publicationMessages = new AtomicLong();
    private final AtomicLong controlMessages = new AtomicLong();
    private final AtomicReference<String> readerError = new AtomicReference<>();
    private final String clientPrefix = LaunchedCluster.PREFIX + ".client.";

    private Snapshot opened;
    private Snapshot closed;

    /** Counters at one edge of the window. */
    private record Snapshot(List<ProcStats.Sample> nodes, ProcStats.Sample redis, Map<String, Long> commands,
                            long publicationMessages, long controlMessages) {
        long calls(String command) {
            return commands.getOrDefault(command, 0L);
        }
    }

    /** Subscribes the counting connection (and waits for Redis to confirm it) before any window opens. */
    ClusterProbe(LaunchedCluster cluster) throws IOException {
        this.cluster = cluster;
        this.subscriber = cluster.redis().connect(0);
        subscriber.send("PSUBSCRIBE", LaunchedCluster.PREFIX + ".*");
        Object confirm = subscriber.read();
        if (!(confirm instanceof List<?> l) || l.isEmpty() || !"psubscribe".equals(text(l.getFirst()))) {
            subscriber.close();
            throw new IOException("PSUBSCRIBE not confirmed: " + confirm);
        }
        // Confirmed: every message published from now on reaches the reader, whenever the thread gets to run.
        reader = Thread.ofPlatform().daemon().name("redis-channel-counter").start(this::count);
    }

    /** The reader: counts each pushed message by its channel until the connection is closed. */
    private void count() {
        try {
            while (true) {
                Object push = subscriber.read();
                // ["pmessage", pattern, channel, payload]
                if (push instanceof List<?> l && l.size() == 4 && "pmessage".equals(text(l.getFirst()))) {
                    if (text(l.get(2)).startsWith(clientPrefix)) {
                        publicationMessages.incrementAndGet();
                    } else {
                        controlMessages.incrementAndGet();
                    }
                }
            }
        } catch (IOException e) {
            // closed at the end of the run, or Redis went away: the latter shows in the report
            readerError.compareAndSet(null, e.getMessage());
        }
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }

    private Snapshot snapshot() {
        List<ProcStats.Sample> nodes = new ArrayList<>();
        cluster.pids().forEach(pid -> nodes.add(ProcStats.read(pid)));
        ProcStats.Sample redis = ProcStats.read(cluster.redis().pid());
        Map<String, Long> commands;
        try {
            commands = cluster.redis().commandCalls();
        } catch (IOException e) {
            throw new IllegalStateException("INFO commandstats failed: " + e.getMessage(), e);
        }
        return new Snapshot(nodes, redis, commands, publicationMessages.get(), controlMessages.get());
    }

    @Override
    public void opened() {
        opened = snapshot();
    }

    @Override
    public void closed() {
        closed = snapshot();
    }

    /**
     * Adds the window's Redis and per-node figures to the report, per publication and per delivery, and the
     * one-PUBLISH-per-publication target.
     */
    void record(Report report, long publications, long deliveries) {
        if (opened == null || closed == null) {
            report.note("cluster probe: the measured window did not complete; no Redis figures");
            return;
        }
        ProcStats.Delta redis = closed.redis().minus(opened.redis());
        long publish = closed.calls("publish") - opened.calls("publish");
        long evalsha = closed.calls("evalsha") - opened.calls("evalsha");
        long eval = closed.calls("eval") - opened.calls("eval");
        long pubMessages = closed.publicationMessages() - opened.publicationMessages();
        long control = closed.controlMessages() - opened.controlMessages();
        long forPublications = publish + evalsha + eval - control;
        report.result("redis_cpu_ms", redis.cpuNanos() / 1e6)
                .result("redis_cores_used", redis.cores())
                .result("redis_cpu_per_publication_us", per(redis.cpuNanos() / 1e3, publications))
                .result("redis_cpu_per_delivery_us", per(redis.cpuNanos() / 1e3, deliveries))
                .result("redis_publish_calls", publish)
                .result("redis_evalsha_calls", evalsha)
                .result("redis_eval_calls", eval)
                .result("redis_messages_on_publication_channels", pubMessages)
                .result("redis_messages_on_control_channels (heartbeats, surveys)", control)
                .result("redis_messages_per_publication", per(pubMessages, publications))
                .result("redis_publish_commands_per_publication (PUBLISH + EVALSHA + EVAL - control messages)",
                        per(forPublications, publications));
        for (int i = 0; i < opened.nodes().size(); i++) {
            ProcStats.Delta d = closed.nodes().get(i).minus(opened.nodes().get(i));
            report.result("node_" + (i + 1) + "_cores_used", d.cores())
                    .result("node_" + (i + 1) + "_cpu_per_delivery_us", per(d.cpuNanos() / 1e3, deliveries));
        }
        if (readerError.get() != null) {
            report.note("the Redis channel counter stopped: " + readerError.get());
        }
        double messages = per(pubMessages, publications);
        double commands = per(forPublications, publications);
        report.target("Redis PUBLISH per publication (" + opened.nodes().size() + " nodes)",
                "1 (one PUBLISH, plain or in the history script, whatever the nodes)",
                String.format("%.3f messages, %.3f commands per publication", messages, commands),
                publications > 0 ? Math.abs(messages - 1) < 0.01 && Math.abs(commands - 1) < 0.01 : null);
    }

    private static double per(double amount, long count) {
        return count == 0 ? Double.NaN : amount / count;
    }

    @Override
    public void close() {
        subscriber.close();
        try {
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
