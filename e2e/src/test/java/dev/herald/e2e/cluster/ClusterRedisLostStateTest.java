package dev.herald.e2e.cluster;

import dev.herald.engines.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis restarts without its data (no persistence): every stream is gone, the next publication starts a new epoch.
 * A client positioned in the old epoch cannot be recovered, and must not be left believing it is complete: it is
 * told (unsubscribe 2500), resubscribes asking for recovery, is answered {@code recovered: false}, and from then on
 * receives the new stream.
 */
class ClusterRedisLostStateTest {
    private static final String CHANNEL = HeraldCluster.CHAT + ":lost";
    private static final Duration BOUND = Duration.ofSeconds(20);

    private static RedisServer redis;
    private static HeraldCluster cluster;

    @BeforeAll
    static void startCluster() {
        redis = new RedisServer();
        redis.start();
        cluster = HeraldCluster.start("lost", 2, c -> {
            HeraldCluster.redisEngine(c, "lost", null, redis.address());
            HeraldCluster.chatNamespace(c);
        });
        Await.until(Duration.ofSeconds(10), "info lists both nodes",
                () -> HeraldCluster.infoNames(cluster.node(0)).size() == 2);
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
    void aClientOfAStreamRedisLostIsToldAndResubscribesUnrecovered() {
        try (SdkClient client = new SdkClient("lost-reader", cluster.node(1).wsUrl(), "reader", CHANNEL)) {
            client.awaitSubscribed(BOUND);
            publish(1, 3);
            Await.until(BOUND, "the first three", () -> client.received().size() == 3, client::toString);

            redis.stop();
            redis.start();
            for (HeraldProcess node : cluster.nodes()) {
                Await.until(BOUND, node.name() + " healthy again", () -> node.health().statusCode() == 200,
                        () -> node.health().body());
            }
            // The first publication into the empty Redis opens a new epoch at offset 1.
            publish(4, 4);
            Await.until(BOUND, "told and resubscribed", () -> client.subscribed().size() >= 2, client::toString);
            SdkClient.Subscribed again = client.subscribed().get(1);
            assertTrue(again.wasRecovering(), client.toString());
            assertFalse(again.recovered(), "the old epoch cannot be recovered: " + client);
            assertTrue(client.told().stream().anyMatch(t -> t.code() == 2500), "told with 2500: " + client);

            publish(5, 5);
            Await.until(BOUND, "the new stream's publications", () -> client.received().contains(5),
                    client::toString);
            assertEquals(List.of(1, 2, 3), client.received().subList(0, 3), client.toString());
            assertTrue(client.errors().isEmpty(), client.toString());
        }
    }

    private static void publish(int from, int to) {
        for (int n = from; n <= to; n++) {
            cluster.node(0).api("publish", "{\"channel\":\"" + CHANNEL + "\",\"data\":{\"n\":" + n + "}}");
        }
    }
}
