package dev.herald.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Several {@link HeraldProcess} nodes started together (in parallel: the JVMs' start-up dominates a test class's
 * time) with the config the test gives each, plus the config pieces the cluster tests share.
 */
public final class HeraldCluster implements AutoCloseable {
    /** The namespace of the recoverable channels: history kept in the engine, recovery forced. */
    public static final String CHAT = "chat";

    private final List<HeraldProcess> nodes;

    private HeraldCluster(List<HeraldProcess> nodes) {
        this.nodes = nodes;
    }

    /**
     * Starts {@code count} nodes named {@code <prefix>-1..n}; {@code configure} gets the node's index (0-based) and
     * its config. Waits until every node listens; a node that fails to start stops the others.
     */
    public static HeraldCluster start(String prefix, int count, BiConsumer<Integer, ObjectNode> configure) {
        List<HeraldProcess> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int index = i;
            nodes.add(new HeraldProcess(prefix + "-" + (i + 1), c -> configure.accept(index, c)));
        }
        HeraldCluster cluster = new HeraldCluster(List.copyOf(nodes));
        try (ExecutorService starters = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<HeraldProcess>> started = new ArrayList<>();
            for (HeraldProcess node : nodes) {
                started.add(CompletableFuture.supplyAsync(node::start, starters));
            }
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).join();
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** The same config on every node. */
    public static HeraldCluster start(String prefix, int count, Consumer<ObjectNode> configure) {
        return start(prefix, count, (i, c) -> configure.accept(c));
    }

    public HeraldProcess node(int index) {
        return nodes.get(index);
    }

    public List<HeraldProcess> nodes() {
        return nodes;
    }

    /** The node names {@code info} lists when asked of {@code via}. */
    public static Set<String> infoNames(HeraldProcess via) {
        Set<String> names = new TreeSet<>();
        for (JsonNode n : via.api("info", "{}").path("result").path("nodes")) {
            names.add(n.path("name").asText());
        }
        return names;
    }

    /** {@code engine.type: redis} over the given addresses (a list when several: sharding). */
    public static void redisEngine(ObjectNode config, String prefix, String presenceTtl, String... addresses) {
        ObjectNode redis = config.putObject("engine").put("type", "redis").putObject("redis");
        if (addresses.length == 1) {
            redis.put("address", addresses[0]);
        } else {
            ArrayNode list = redis.putArray("address");
            for (String a : addresses) {
                list.add(a);
            }
        }
        redis.put("prefix", prefix);
        if (presenceTtl != null) {
            redis.put("presence_ttl", presenceTtl);
        }
    }

    /**
     * The {@value #CHAT} namespace: clients may subscribe; history (1000 publications, 5 min) with recovery
     * forced, presence on.
     */
    public static void chatNamespace(ObjectNode config) {
        ObjectNode channel = config.has("channel") ? (ObjectNode) config.get("channel") : config.putObject("channel");
        channel.putArray("namespaces").addObject()
                .put("name", CHAT)
                .put("allow_subscribe_for_client", true)
                .put("presence", true)
                .put("history_size", 1000)
                .put("history_ttl", "300s")
                .put("force_recovery", true);
    }

    @Override
    public void close() {
        for (HeraldProcess node : nodes) {
            node.kill();
        }
    }
}
