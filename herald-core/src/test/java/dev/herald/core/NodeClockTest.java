package dev.herald.core;

import dev.herald.core.auth.ConnectToken;
import dev.herald.core.auth.SubscribeToken;
import dev.herald.core.client.ClientSession;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.testing.TestNode;
import dev.herald.core.time.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every time a session or the node reports or compares comes from the node's clock, not the machine's: the
 * manual clock starts in November 2023, so a reading of the system clock would show in each of these figures.
 */
class NodeClockTest {
    private static final long NOW_SECONDS = ManualClock.DEFAULT_START_MILLIS / 1000;

    private static TestNode node() {
        HeraldConfig config = new HeraldConfig();
        config.client.connectIncludeServerTime = true;
        return TestNode.withManualTime(config);
    }

    private static ConnectToken expiringAt(long expireAt) {
        return new ConnectToken("u", expireAt, 0, "", null, null, List.of(), Map.of());
    }

    @Test
    void connectReplyTtlServerTimeAndConnectedAtAreOnTheNodeClock() {
        try (TestNode node = node()) {
            node.advance(Duration.ofMillis(1_234));
            node.connectToken("t", expiringAt(NOW_SECONDS + 100));
            ClientSession s = node.connectBidi("websocket", "t", null, null);
            String reply = TestNode.transport(s).last();
            assertTrue(reply.contains("\"expires\":true,\"ttl\":99,"), reply);
            assertTrue(reply.contains("\"time\":" + (ManualClock.DEFAULT_START_MILLIS + 1_234)), reply);
            assertEquals(ManualClock.DEFAULT_START_MILLIS + 1_234, s.connectedAtMillis());
        }
    }

    @Test
    void tokenExpiryIsJudgedByTheNodeClock() {
        try (TestNode node = node()) {
            // Long past by the machine's clock, still ahead of the node's.
            node.connectToken("ahead", expiringAt(NOW_SECONDS + 10));
            node.connectToken("behind", expiringAt(NOW_SECONDS - 1));
            assertTrue(node.connectBidi("websocket", "ahead", null, null).connected());
            ClientSession behind = node.connectBidi("websocket", "behind", null, null);
            assertTrue(TestNode.transport(behind).last().contains("\"code\":109"), TestNode.transport(behind).last());
        }
    }

    @Test
    void refreshAndSubscriptionTtlsAreOnTheNodeClock() {
        try (TestNode node = node()) {
            node.connectToken("t", expiringAt(NOW_SECONDS + 100));
            node.connectToken("t2", expiringAt(NOW_SECONDS + 300));
            node.subscribeToken("s", new SubscribeToken("u", "c", "", NOW_SECONDS + 50, 0, "", null, null, null));
            node.subscribeToken("s2", new SubscribeToken("u", "c", "", NOW_SECONDS + 90, 0, "", null, null, null));
            ClientSession s = node.connectBidi("websocket", "t", null, null);
            node.advance(Duration.ofSeconds(10));
            TestNode.send(s, "{\"id\":2,\"subscribe\":{\"channel\":\"c\",\"token\":\"s\"}}");
            assertTrue(TestNode.transport(s).last().contains("\"expires\":true,\"ttl\":40"),
                    TestNode.transport(s).last());
            TestNode.send(s, "{\"id\":3,\"sub_refresh\":{\"channel\":\"c\",\"token\":\"s2\"}}");
            assertEquals("{\"id\":3,\"sub_refresh\":{\"expires\":true,\"ttl\":80}}", TestNode.transport(s).last());
            TestNode.send(s, "{\"id\":4,\"refresh\":{\"token\":\"t2\"}}");
            assertTrue(TestNode.transport(s).last().contains("\"expires\":true,\"ttl\":290}"),
                    TestNode.transport(s).last());
        }
    }

    @Test
    void uptimeIsOnTheNodeClock() {
        try (TestNode node = node()) {
            assertEquals(0, node.node.info().uptime());
            node.advance(Duration.ofSeconds(90));
            assertEquals(90, node.node.info().uptime());
        }
    }
}
