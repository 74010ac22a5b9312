package dev.herald.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.engines.testing.NatsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The delivery and disconnect-by-user scenarios with {@code broker.type: nats} (a real nats-server, core NATS: no
 * history) and no presence manager: publications cross the three nodes in order, the user-session calls act on every
 * node through the NATS controller, and presence answers 108 rather than one node's partial view.
 */
class ClusterNatsTest {
    private static NatsServer nats;
    private static HeraldCluster cluster;

    @BeforeAll
    static void startCluster() {
        nats = new NatsServer();
        nats.start();
        cluster = HeraldCluster.start("nats", 3, c -> {
            c.putObject("broker").put("enabled", true).put("type", "nats")
                    .putObject("nats").put("url", nats.url()).put("prefix", "natsit");
            c.putObject("channel").putArray("namespaces").addObject()
                    .put("name", "live").put("allow_subscribe_for_client", true).put("presence", true);
        });
        Await.until(Duration.ofSeconds(10), "info lists the three nodes",
                () -> HeraldCluster.infoNames(cluster.node(0)).size() == 3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
        if (nats != null) {
            nats.stop();
        }
    }

    @Test
    void publicationsCrossNodesInOrderOverNats() {
        String channel = "live:order";
        try (JsonClient onTwo = JsonClient.connect(cluster.node(1), "reader-2");
             JsonClient onThree = JsonClient.connect(cluster.node(2), "reader-3")) {
            onTwo.subscribe(channel);
            onThree.subscribe(channel);
            int count = 200;
            for (int i = 1; i <= count; i++) {
                JsonNode r = cluster.node(0).api("publish", "{\"channel\":\"" + channel + "\",\"data\":{\"n\":" + i + "}}");
                assertFalse(r.has("error"), r.toString());
            }
            for (JsonClient c : List.of(onTwo, onThree)) {
                Await.until(Duration.ofSeconds(15), count + " publications",
                        () -> c.publications(channel).size() >= count, () -> c.publications(channel).size());
                List<Integer> got = c.publications(channel).stream().map(p -> p.path("data").path("n").asInt())
                        .toList();
                assertEquals(java.util.stream.IntStream.rangeClosed(1, count).boxed().toList(), got);
            }
            JsonNode presence = cluster.node(0).api("presence", "{\"channel\":\"" + channel + "\"}");
            assertEquals(108, presence.path("error").path("code").asInt(),
                    "no shared presence manager: not available, " + presence);
        }
    }

    @Test
    void disconnectByUserClosesTheUsersSessionsOnEveryNode() {
        List<JsonClient> sessions = new ArrayList<>();
        try (JsonClient bystander = JsonClient.connect(cluster.node(0), "bystander")) {
            for (HeraldProcess node : cluster.nodes()) {
                sessions.add(JsonClient.connect(node, "spread"));
            }
            Set<String> ids = new TreeSet<>();
            sessions.forEach(s -> ids.add(s.clientId()));
            JsonNode listed = cluster.node(0).api("connections", "{\"user\":\"spread\"}").path("result");
            assertEquals(ids, ClusterDeliveryTest.fieldNames(listed.path("connections")), listed.toString());

            JsonNode d = cluster.node(2).api("disconnect", "{\"user\":\"spread\"}");
            assertFalse(d.has("error"), d.toString());
            JsonNode after = cluster.node(1).api("connections", "{\"user\":\"spread\"}").path("result");
            assertTrue(after.path("connections").isEmpty(), "closed when the call returned: " + after);
            for (JsonClient s : sessions) {
                assertEquals(3503, s.awaitClose(Duration.ofSeconds(5)));
            }
            assertFalse(bystander.isClosed(), "another user's connection stays");
        } finally {
            sessions.forEach(JsonClient::close);
        }
    }
}
