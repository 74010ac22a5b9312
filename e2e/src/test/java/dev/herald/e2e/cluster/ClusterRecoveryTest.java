package dev.herald.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.engines.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recovery across nodes with the real centrifuge-java SDK: the client reaches the cluster through a TCP switch (a
 * load balancer), is subscribed on node 1 to a channel with history and forced recovery, loses its connection while
 * publications go on through node 3, and reconnects - the switch now routing to node 2 - where its resubscription
 * with recovery gets exactly the publications it missed, from the history stream in Redis.
 */
class ClusterRecoveryTest {
    private static final Duration BOUND = Duration.ofSeconds(15);

    private static RedisServer redis;
    private static HeraldCluster cluster;

    @BeforeAll
    static void startCluster() {
        redis = new RedisServer();
        redis.start();
        cluster = HeraldCluster.start("recovery", 3, c -> {
            HeraldCluster.redisEngine(c, "recovery", null, redis.address());
            HeraldCluster.chatNamespace(c);
        });
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
    void aClientReconnectingToAnotherNodeRecoversWhatItMissed() {
        String channel = "chat:recover";
        try (TcpSwitch lb = new TcpSwitch(cluster.node(0));
             SdkClient client = new SdkClient("roaming", lb.wsUrl(), "roamer", channel)) {
            client.awaitSubscribed(BOUND);
            assertFalse(client.subscribed().getFirst().wasRecovering());
            publish(1, 5);
            Await.until(BOUND, "the first five live", () -> client.received().size() == 5, client::toString);

            lb.refuse();
            lb.dropAll();
            Await.until(BOUND, "the client notices the cut", () -> client.told().stream()
                    .anyMatch(t -> t.what().equals("connecting")), client::toString);
            publish(6, 15);
            assertEquals(5, client.received().size(), "nothing arrives while it is cut off");

            lb.routeTo(cluster.node(1));
            Await.until(BOUND, "resubscribed on node 2", () -> client.subscribed().size() == 2, client::toString);
            SdkClient.Subscribed again = client.subscribed().get(1);
            assertTrue(again.wasRecovering(), "the SDK asked for recovery: " + client);
            assertTrue(again.recovered(), "node 2 recovered from the stream in Redis: " + client);
            publish(16, 20);
            Await.until(BOUND, "twenty publications", () -> client.received().size() >= 20, client::toString);

            assertEquals(IntStream.rangeClosed(1, 20).boxed().toList(), client.received(),
                    "every publication exactly once, in order, the missed ones from the recovery");
            assertEquals(LongStreamOffsets.oneTo(20), client.offsets());
            List<Integer> routes = lb.routed();
            assertEquals(cluster.node(0).port(), routes.getFirst(), "first connection on node 1");
            assertEquals(cluster.node(1).port(), routes.getLast(), "last connection on node 2");
            assertEquals(2, client.connected().size(), "connected twice: " + client.connected());
            assertTrue(client.errors().isEmpty(), "no subscription errors: " + client.errors());
        }
    }

    private static void publish(int from, int to) {
        for (int n = from; n <= to; n++) {
            JsonNode r = cluster.node(2).api("publish",
                    "{\"channel\":\"chat:recover\",\"data\":{\"n\":" + n + "}}");
            assertFalse(r.has("error"), r.toString());
        }
    }

    /** The offsets 1..n of a fresh channel's stream. */
    private static final class LongStreamOffsets {
        static List<Long> oneTo(int n) {
            return java.util.stream.LongStream.rangeClosed(1, n).boxed().toList();
        }
    }
}
