package dev.herald.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.engines.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three Herald processes over one real redis-server ({@code engine.type: redis}): publications cross nodes in
 * order, {@code info} lists every node, and the user-session API calls ({@code connections}, {@code disconnect},
 * {@code subscribe}) act on every node. The nodes and Redis are started once for the class.
 */
class ClusterDeliveryTest {
    private static final Duration DELIVERY = Duration.ofSeconds(15);

    private static RedisServer redis;
    private static HeraldCluster cluster;

    @BeforeAll
    static void startCluster() {
        redis = new RedisServer();
        redis.start();
        cluster = HeraldCluster.start("delivery", 3, c -> {
            HeraldCluster.redisEngine(c, "delivery", null, redis.address());
            HeraldCluster.chatNamespace(c);
        });
        Await.until(Duration.ofSeconds(10), "info lists the three nodes on every node",
                () -> cluster.nodes().stream().allMatch(n -> HeraldCluster.infoNames(n).size() == 3));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
        if (redis != null) {
            redis.stop();
        }
    }

    @Test
    void infoListsEveryNodeAndHealthIsOk() {
        assertEquals(Set.of("delivery-1", "delivery-2", "delivery-3"), HeraldCluster.infoNames(cluster.node(1)));
        for (HeraldProcess node : cluster.nodes()) {
            HttpResponse<String> health = node.health();
            assertEquals(200, health.statusCode(), node.name() + ": " + health.body());
            assertEquals("{}", health.body().trim());
        }
    }

    @Test
    void publicationsThroughNodeOneReachSubscribersOnNodesTwoAndThreeInOrder() {
        String channel = "chat:order";
        try (JsonClient onTwo = JsonClient.connect(cluster.node(1), "reader-2");
             JsonClient onThree = JsonClient.connect(cluster.node(2), "reader-3")) {
            onTwo.subscribe(channel);
            onThree.subscribe(channel);

            int count = 200;
            List<Long> offsets = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                JsonNode r = cluster.node(0).api("publish", "{\"channel\":\"" + channel + "\",\"data\":{\"n\":" + i + "}}");
                assertFalse(r.has("error"), r.toString());
                offsets.add(r.path("result").path("offset").asLong());
            }
            for (int i = 1; i < offsets.size(); i++) {
                assertEquals(offsets.get(i - 1) + 1, offsets.get(i), "offsets of one channel are gap-free");
            }
            for (JsonClient c : List.of(onTwo, onThree)) {
                Await.until(DELIVERY, count + " publications", () -> c.publications(channel).size() >= count,
                        () -> c.publications(channel).size());
                List<JsonNode> pubs = c.publications(channel);
                assertEquals(count, pubs.size(), "no duplicates");
                for (int i = 0; i < count; i++) {
                    assertEquals(i + 1, pubs.get(i).path("data").path("n").asInt(), "in publish order");
                    assertEquals(offsets.get(i), pubs.get(i).path("offset").asLong());
                }
            }
        }
    }

    @Test
    void connectionsSubscribeAndDisconnectByUserActOnEveryNode() {
        String user = "spread";
        List<JsonClient> sessions = new ArrayList<>();
        try {
            for (HeraldProcess node : cluster.nodes()) {
                sessions.add(JsonClient.connect(node, user));
            }
            sessions.add(JsonClient.connect(cluster.node(1), user));
            try (JsonClient bystander = JsonClient.connect(cluster.node(2), "bystander")) {
                Set<String> ids = new TreeSet<>();
                sessions.forEach(s -> ids.add(s.clientId()));

                JsonNode listed = cluster.node(0).api("connections", "{\"user\":\"" + user + "\"}").path("result");
                assertEquals(ids, fieldNames(listed.path("connections")), "the user's sessions on all three nodes");
                assertFalse(listed.has("complete"), "every node answered: " + listed);

                JsonNode flat = cluster.node(2).api("user_connections", "{\"user\":\"" + user + "\"}").path("result");
                assertEquals(ids, fieldNames(flat.path("connections")));

                String news = "news-" + user;
                JsonNode sub = cluster.node(2).api("subscribe",
                        "{\"user\":\"" + user + "\",\"channel\":\"" + news + "\"}");
                assertFalse(sub.has("error"), sub.toString());
                for (JsonClient s : sessions) {
                    Await.until(DELIVERY, "subscribe push on " + s.clientId(), () -> s.pushes().stream()
                            .anyMatch(p -> news.equals(p.path("channel").asText()) && p.has("subscribe")));
                }
                JsonNode channels = cluster.node(0).api("channels", "{\"pattern\":\"" + news + "\"}").path("result");
                assertEquals(sessions.size(), channels.path("channels").path(news).path("num_clients").asInt(),
                        "channels merged across nodes: " + channels);
                cluster.node(1).api("publish", "{\"channel\":\"" + news + "\",\"data\":{\"x\":1}}");
                for (JsonClient s : sessions) {
                    Await.until(DELIVERY, "publication on the server-side subscription of " + s.clientId(),
                            () -> s.publications(news).size() == 1);
                }

                JsonNode d = cluster.node(1).api("disconnect", "{\"user\":\"" + user + "\"}");
                assertFalse(d.has("error"), d.toString());
                JsonNode after = cluster.node(0).api("connections", "{\"user\":\"" + user + "\"}").path("result");
                assertTrue(fieldNames(after.path("connections")).isEmpty(),
                        "closed on every node when the call returned: " + after);
                for (JsonClient s : sessions) {
                    assertEquals(3503, s.awaitClose(Duration.ofSeconds(5)), "force disconnect");
                }
                assertFalse(bystander.isClosed(), "another user's connection stays");
                assertEquals(Set.of(bystander.clientId()), fieldNames(cluster.node(0)
                        .api("connections", "{\"user\":\"bystander\"}").path("result").path("connections")));
            }
        } finally {
            sessions.forEach(JsonClient::close);
        }
    }

    static Set<String> fieldNames(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
