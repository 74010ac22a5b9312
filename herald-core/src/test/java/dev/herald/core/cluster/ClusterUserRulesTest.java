package dev.herald.core.cluster;

import dev.herald.core.client.ClientSession;
import dev.herald.core.codes.Disconnect;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.testing.ClusterHarness;
import dev.herald.core.testing.TestNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules on a user's connections hold across nodes, which Centrifugo does per node only:
 * {@code client.user_connection_limit} counts the user's connections on every node, and {@code single_connection}
 * leaves the newest connection, wherever the older ones are.
 */
class ClusterUserRulesTest {

    private static ClusterHarness cluster(Supplier<HeraldConfig> config) {
        ClusterHarness cluster = new ClusterHarness(3, config);
        cluster.connectToken("t42", "42");
        cluster.connectToken("t7", "7");
        return cluster;
    }

    @Test
    void theUserConnectionLimitCountsEveryNode() {
        try (ClusterHarness cluster = cluster(() -> {
            HeraldConfig c = new HeraldConfig();
            c.client.userConnectionLimit = 2;
            return c;
        })) {
            ClientSession a = cluster.node(0).connectBidi("websocket", "t42", null, null);
            ClientSession b = cluster.node(1).connectBidi("websocket", "t42", null, null);
            assertTrue(a.connected() && b.connected());

            ClientSession third = cluster.node(2).connectBidi("websocket", "t42", null, null);
            assertFalse(third.connected());
            assertEquals(Disconnect.CONNECTION_LIMIT, TestNode.transport(third).closedWith(),
                    "two connections on nodes a and b: the third, on c, is over the limit");
            ClientSession other = cluster.node(2).connectBidi("websocket", "t7", null, null);
            assertTrue(other.connected(), "another user is not limited by 42's connections");

            a.close(Disconnect.FORCE_DISCONNECT);
            ClientSession again = cluster.node(2).connectBidi("websocket", "t42", null, null);
            assertTrue(again.connected(), "one closed on a: room for one more, on c");
        }
    }

    @Test
    void aSilentNodeDoesNotBlockConnectsForLong() {
        try (ClusterHarness cluster = cluster(() -> {
            HeraldConfig c = new HeraldConfig();
            c.client.userConnectionLimit = 1;
            return c;
        })) {
            cluster.silence(2);
            ClientSession s = cluster.node(0).connectBidi("websocket", "t42", null, null);
            assertFalse(s.connected(), "waits for node c's count");
            cluster.time.advance(Duration.ofSeconds(1));
            assertTrue(s.connected(), "after the 1 s survey timeout it counts the nodes that answered");
        }
    }

    @Test
    void singleConnectionKeepsTheNewestConnectionAcrossNodes() {
        try (ClusterHarness cluster = cluster(() -> {
            HeraldConfig c = new HeraldConfig();
            c.client.subscribeToUserPersonalChannel.enabled = true;
            c.client.subscribeToUserPersonalChannel.singleConnection = true;
            c.channel.withoutNamespace.presence = true;
            return c;
        })) {
            ClientSession first = cluster.node(0).connectBidi("websocket", "t42", null, null);
            cluster.time.advance(Duration.ofMillis(5));
            ClientSession second = cluster.node(1).connectBidi("websocket", "t42", null, null);
            assertTrue(second.connected());
            assertEquals(Disconnect.CONNECTION_LIMIT, TestNode.transport(first).closedWith(), "b's is newer");
            cluster.time.advance(Duration.ofMillis(5));
            ClientSession newest = cluster.node(2).connectBidi("websocket", "t42", null, null);
            ClientSession bystander = cluster.node(0).connectBidi("websocket", "t7", null, null);

            assertTrue(newest.connected());
            assertEquals(Disconnect.CONNECTION_LIMIT, TestNode.transport(second).closedWith());
            assertNull(TestNode.transport(newest).closedWith());
            assertTrue(bystander.connected(), "another user's connection stays");
        }
    }
}
