package dev.herald.e2e.cluster;

import dev.herald.engines.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The rules on one user's connections hold across three Herald processes over a real redis-server, which
 * Centrifugo only does per node: {@code client.user_connection_limit} counts the user's connections on every node,
 * and {@code single_connection} on the personal channel leaves only the newest session, wherever the older ones
 * are. Each rule needs its own cluster config; both clusters share one Redis under different prefixes.
 */
class ClusterUserRulesTest {
    private static final int CONNECTION_LIMIT = 3504;

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = new RedisServer();
        redis.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.stop();
        }
    }

    @Test
    void theUserConnectionLimitCountsConnectionsOnEveryNode() {
        try (HeraldCluster cluster = HeraldCluster.start("limit", 3, c -> {
            HeraldCluster.redisEngine(c, "limit", null, redis.address());
            ((com.fasterxml.jackson.databind.node.ObjectNode) c.get("client")).put("user_connection_limit", 2);
        });
             JsonClient first = JsonClient.connect(cluster.node(0), "42");
             JsonClient second = JsonClient.connect(cluster.node(1), "42")) {
            try (JsonClient third = JsonClient.open(cluster.node(2), "42")) {
                assertEquals(CONNECTION_LIMIT, third.awaitClose(Duration.ofSeconds(5)),
                        "two connections on nodes 1 and 2: the third, on node 3, is over the limit");
            }
            try (JsonClient other = JsonClient.connect(cluster.node(2), "7")) {
                assertFalse(other.isClosed(), "another user is not limited by 42's connections");
            }
            first.close();
            Await.until(Duration.ofSeconds(5), "node 1 forgets the closed connection", () -> cluster.node(2)
                    .api("connections", "{\"user\":\"42\"}").path("result").path("connections").size() == 1);
            try (JsonClient again = JsonClient.connect(cluster.node(2), "42")) {
                assertFalse(again.isClosed(), "one closed on node 1: room for one more, on node 3");
            }
            assertFalse(second.isClosed());
        }
    }

    @Test
    void singleConnectionKeepsTheNewestSessionAcrossNodes() {
        try (HeraldCluster cluster = HeraldCluster.start("single", 3, c -> {
            HeraldCluster.redisEngine(c, "single", null, redis.address());
            ((com.fasterxml.jackson.databind.node.ObjectNode) c.get("client"))
                    .putObject("subscribe_to_user_personal_channel")
                    .put("enabled", true).put("single_connection", true);
            c.putObject("channel").putObject("without_namespace").put("presence", true);
        });
             JsonClient first = JsonClient.connect(cluster.node(0), "42")) {
            try (JsonClient second = JsonClient.connect(cluster.node(1), "42")) {
                assertEquals(CONNECTION_LIMIT, first.awaitClose(Duration.ofSeconds(5)),
                        "the session on node 2 is newer: node 1's is closed");
                try (JsonClient newest = JsonClient.connect(cluster.node(2), "42");
                     JsonClient bystander = JsonClient.connect(cluster.node(0), "7")) {
                    assertEquals(CONNECTION_LIMIT, second.awaitClose(Duration.ofSeconds(5)),
                            "the session on node 3 is newer: node 2's is closed");
                    assertEquals(java.util.Set.of(newest.clientId()), ClusterDeliveryTest.fieldNames(cluster.node(0)
                            .api("connections", "{\"user\":\"42\"}").path("result").path("connections")),
                            "only the newest session is left in the cluster");
                    assertFalse(newest.isClosed(), "the newest stays");
                    assertFalse(bystander.isClosed(), "another user's connection stays");
                }
            }
        }
    }
}
