package dev.herald.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.engines.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Herald node killed with SIGKILL (no goodbye on the control channel) drops out of {@code info} and of
 * {@code connections} within the heartbeat window (7 s), and its presence entries expire with
 * {@code engine.redis.presence_ttl} (3 s here), since nobody refreshes them any more.
 */
class ClusterNodeCrashTest {
    /** The registry drops a node 7 s after its last heartbeat; the margin covers the 3 s heartbeat period. */
    private static final Duration HEARTBEAT_WINDOW = Duration.ofSeconds(7 + 3);
    /** The presence TTL plus the last refresh period (TTL/3) and a margin for the Lua clock. */
    private static final Duration PRESENCE_EXPIRY = Duration.ofSeconds(3 + 1 + 2);

    private static RedisServer redis;
    private static HeraldCluster cluster;

    @BeforeAll
    static void startCluster() {
        redis = new RedisServer();
        redis.start();
        cluster = HeraldCluster.start("crash", 3, c -> {
            HeraldCluster.redisEngine(c, "crash", "3s", redis.address());
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
    }

    @Test
    void aKilledNodeLeavesInfoConnectionsAndPresence() {
        String channel = "chat:crash";
        try (JsonClient survivor = JsonClient.connect(cluster.node(0), "survivor");
             JsonClient victim = JsonClient.connect(cluster.node(2), "victim")) {
            survivor.subscribe(channel);
            victim.subscribe(channel);
            assertEquals(Set.of(survivor.clientId(), victim.clientId()), presence(channel));
            assertEquals(Set.of(victim.clientId()), connections("victim"));

            cluster.node(2).kill();
            long killed = System.nanoTime();
            assertFalse(cluster.node(2).alive());

            Await.until(PRESENCE_EXPIRY, "the dead node's presence entries expire",
                    () -> presence(channel).equals(Set.of(survivor.clientId())), () -> presence(channel));
            Await.until(HEARTBEAT_WINDOW.minusNanos(System.nanoTime() - killed), "node 3 dropped from info",
                    () -> HeraldCluster.infoNames(cluster.node(0)).equals(Set.of("crash-1", "crash-2")),
                    () -> HeraldCluster.infoNames(cluster.node(0)));
            // Each node keeps its own registry: node 2 drops node 3 when its own 7 s since node 3's last heartbeat
            // are over, which may be a few milliseconds after node 1 did.
            Await.until(HEARTBEAT_WINDOW.minusNanos(System.nanoTime() - killed), "node 3 dropped from node 2's info",
                    () -> HeraldCluster.infoNames(cluster.node(1)).equals(Set.of("crash-1", "crash-2")),
                    () -> HeraldCluster.infoNames(cluster.node(1)));

            long asked = System.nanoTime();
            JsonNode listed = cluster.node(1).api("connections", "{\"user\":\"victim\"}").path("result");
            assertTrue(listed.path("connections").isEmpty(), listed.toString());
            assertFalse(listed.has("complete"), "the dropped node is not waited for: " + listed);
            assertTrue(System.nanoTime() - asked < Duration.ofSeconds(2).toNanos(),
                    "answered without waiting for the survey timeout");
            assertEquals(Set.of(survivor.clientId()), connections("survivor"));
            assertFalse(survivor.isClosed(), "the survivor's session is untouched");
        }
    }

    private static Set<String> presence(String channel) {
        return ClusterDeliveryTest.fieldNames(cluster.node(1).api("presence", "{\"channel\":\"" + channel + "\"}")
                .path("result").path("presence"));
    }

    private static Set<String> connections(String user) {
        return ClusterDeliveryTest.fieldNames(cluster.node(0).api("connections", "{\"user\":\"" + user + "\"}")
                .path("result").path("connections"));
    }
}
