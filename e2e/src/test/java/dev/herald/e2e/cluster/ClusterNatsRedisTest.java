package dev.herald.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.engines.testing.NatsServer;
import dev.herald.engines.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code broker.type: nats} with {@code engine.type: redis}: NATS carries publications and control traffic, the
 * Redis engine keeps history and presence. Publications are positioned (offsets from the Redis stream), a client
 * recovers on another node from Redis, and presence is cluster-wide.
 */
class ClusterNatsRedisTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static NatsServer nats;
    private static RedisServer redis;
    private static HeraldCluster cluster;

    @BeforeAll
    static void startCluster() {
        nats = new NatsServer();
        nats.start();
        redis = new RedisServer();
        redis.start();
        cluster = HeraldCluster.start("natsredis", 3, c -> {
            HeraldCluster.redisEngine(c, "natsredis", null, redis.address());
            c.putObject("broker").put("enabled", true).put("type", "nats")
                    .putObject("nats").put("url", nats.url()).put("prefix", "natsredis");
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
        if (redis != null) {
            redis.stop();
        }
        if (nats != null) {
            nats.stop();
        }
    }

    @Test
    void positionedPublicationsOverNatsRecoverFromRedisOnAnotherNode() {
        String channel = HeraldCluster.CHAT + ":hist";
        long lastSeen;
        String epoch;
        try (JsonClient reader = JsonClient.connect(cluster.node(1), "reader");
             JsonClient other = JsonClient.connect(cluster.node(2), "other")) {
            reader.subscribe(channel);
            other.subscribe(channel);
            for (int i = 1; i <= 5; i++) {
                JsonNode r = cluster.node(0).api("publish", "{\"channel\":\"" + channel + "\",\"data\":{\"n\":" + i
                        + "}}").path("result");
                assertEquals(i, r.path("offset").asLong(), "offsets from the Redis stream: " + r);
            }
            Await.until(Duration.ofSeconds(10), "5 publications on node 2", () -> reader.publications(channel).size() == 5,
                    () -> reader.publications(channel));
            List<JsonNode> got = reader.publications(channel);
            assertEquals(IntStream.rangeClosed(1, 5).boxed().toList(),
                    got.stream().map(p -> p.path("offset").asInt()).toList(), "positioned, in order");
            lastSeen = got.getLast().path("offset").asLong();
            epoch = cluster.node(0).api("history", "{\"channel\":\"" + channel + "\",\"limit\":0}")
                    .path("result").path("epoch").asText();
            assertFalse(epoch.isEmpty());

            JsonNode presence = cluster.node(0).api("presence", "{\"channel\":\"" + channel + "\"}");
            assertEquals(Set.of(reader.clientId(), other.clientId()),
                    ClusterDeliveryTest.fieldNames(presence.path("result").path("presence")),
                    "presence from the Redis engine lists both nodes' clients: " + presence);
        }
        for (int i = 6; i <= 8; i++) {
            cluster.node(1).api("publish", "{\"channel\":\"" + channel + "\",\"data\":{\"n\":" + i + "}}");
        }
        try (JsonClient back = JsonClient.connect(cluster.node(2), "reader")) {
            JsonNode sub = back.command("subscribe", JSON.createObjectNode().put("channel", channel)
                    .put("recover", true).put("offset", lastSeen).put("epoch", epoch));
            assertTrue(sub.path("subscribe").path("recovered").asBoolean(), sub.toString());
            List<Integer> recovered = new java.util.ArrayList<>();
            sub.path("subscribe").path("publications").forEach(p -> recovered.add(p.path("data").path("n").asInt()));
            assertEquals(List.of(6, 7, 8), recovered, "the missed publications, from Redis, on node 3");
        }
    }

    @Test
    void anIdempotentPublishGoesOutOnce() {
        String channel = HeraldCluster.CHAT + ":once";
        try (JsonClient reader = JsonClient.connect(cluster.node(2), "once-reader")) {
            reader.subscribe(channel);
            String body = "{\"channel\":\"" + channel + "\",\"data\":{\"n\":1},\"idempotency_key\":\"k\"}";
            JsonNode first = cluster.node(0).api("publish", body).path("result");
            JsonNode again = cluster.node(1).api("publish", body).path("result");
            assertEquals(first, again, "the first result, from whichever node");
            cluster.node(0).api("publish", "{\"channel\":\"" + channel + "\",\"data\":{\"n\":2}}");
            Await.until(Duration.ofSeconds(10), "the sentinel publication", () -> reader.publications(channel).size() >= 2,
                    () -> reader.publications(channel));
            assertEquals(List.of(1, 2), reader.publications(channel).stream()
                    .map(p -> p.path("data").path("n").asInt()).toList());
        }
    }
}
