package dev.herald.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.engines.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code engine.redis.address} as a list of two redis-servers: the channels are spread over both (each channel's
 * history stream lives on exactly one, the same for every node, as redis-cli shows) and publications still cross
 * the three nodes, in order, whichever shard their channel is on.
 */
class ClusterShardingTest {
    private static final String PREFIX = "sharded";
    private static final int CHANNELS = 16;
    private static final int PER_CHANNEL = 5;

    private static RedisServer shardA;
    private static RedisServer shardB;
    private static HeraldCluster cluster;

    @BeforeAll
    static void startCluster() {
        shardA = new RedisServer();
        shardA.start();
        shardB = new RedisServer();
        shardB.start();
        cluster = HeraldCluster.start("shard", 3, c -> {
            HeraldCluster.redisEngine(c, PREFIX, null, shardA.address(), shardB.address());
            HeraldCluster.chatNamespace(c);
        });
        Await.until(Duration.ofSeconds(10), "info lists the three nodes",
                () -> HeraldCluster.infoNames(cluster.node(0)).size() == 3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
        if (shardA != null) {
            shardA.stop();
        }
        if (shardB != null) {
            shardB.stop();
        }
    }

    @Test
    void channelsLiveOnBothShardsAndDeliveryCrossesNodes() throws Exception {
        List<String> channels = new ArrayList<>();
        for (int i = 0; i < CHANNELS; i++) {
            channels.add(HeraldCluster.CHAT + ":shard-" + i);
        }
        try (JsonClient onTwo = JsonClient.connect(cluster.node(1), "a");
             JsonClient onThree = JsonClient.connect(cluster.node(2), "b")) {
            for (String ch : channels) {
                onTwo.subscribe(ch);
                onThree.subscribe(ch);
            }
            for (int n = 1; n <= PER_CHANNEL; n++) {
                for (String ch : channels) {
                    JsonNode r = cluster.node(0).api("publish",
                            "{\"channel\":\"" + ch + "\",\"data\":{\"n\":" + n + "}}");
                    assertFalse(r.has("error"), r.toString());
                }
            }
            for (JsonClient c : List.of(onTwo, onThree)) {
                for (String ch : channels) {
                    Await.until(Duration.ofSeconds(15), PER_CHANNEL + " publications in " + ch,
                            () -> c.publications(ch).size() >= PER_CHANNEL, () -> c.publications(ch));
                    List<Integer> got = c.publications(ch).stream().map(p -> p.path("data").path("n").asInt())
                            .toList();
                    assertEquals(List.of(1, 2, 3, 4, 5), got, ch + " in order, once each");
                }
            }
        }

        Set<String> onA = streams(shardA);
        Set<String> onB = streams(shardB);
        assertFalse(onA.isEmpty(), "shard A holds some channels' streams: " + onB);
        assertFalse(onB.isEmpty(), "shard B holds some channels' streams: " + onA);
        Set<String> both = new HashSet<>(onA);
        both.retainAll(onB);
        assertTrue(both.isEmpty(), "each stream on exactly one shard: " + both);
        Set<String> all = new TreeSet<>(onA);
        all.addAll(onB);
        assertEquals(new TreeSet<>(channels), all, "every channel's stream is on one of them");

        // Every node finds each channel on the same shard: its history (read through node 3) is complete.
        for (String ch : channels) {
            JsonNode h = cluster.node(2).api("history", "{\"channel\":\"" + ch + "\",\"limit\":-1}").path("result");
            assertEquals(PER_CHANNEL, h.path("publications").size(), ch + ": " + h);
        }
    }

    /** The channels whose history stream exists on {@code shard}, read with redis-cli. */
    private static Set<String> streams(RedisServer shard) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(shard.port()),
                "--raw", "KEYS", PREFIX + ".stream.*").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "redis-cli finished");
        assertEquals(0, p.exitValue(), out);
        Set<String> channels = new TreeSet<>();
        for (String key : out.split("\n")) {
            String k = key.trim();
            if (!k.isEmpty() && !k.startsWith(PREFIX + ".stream.meta.")) {
                channels.add(k.substring((PREFIX + ".stream.").length()));
            }
        }
        return channels;
    }
}
