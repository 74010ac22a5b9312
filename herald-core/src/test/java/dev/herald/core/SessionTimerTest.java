package dev.herald.core;

import dev.herald.core.auth.ConnectToken;
import dev.herald.core.auth.SubscribeToken;
import dev.herald.core.client.ClientSession;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.testing.FakeTransport;
import dev.herald.core.testing.TestNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pings, pong deadlines and expiry share one timer per session; each still does what it did on its own. So do
 * the stale check and the subscription expiry. The node runs on manual time: each test moves the clock to just
 * before and just after the moment it expects something, and {@link FakeTransport} runs the session's work on
 * the test thread, so nothing is awaited.
 */
class SessionTimerTest {
    private static final Duration MS = Duration.ofMillis(1);

    private static TestNode node(long pingMillis, long pongMillis, long expiredCloseDelayMillis) {
        HeraldConfig config = new HeraldConfig();
        config.client.pingInterval = Duration.ofMillis(pingMillis);
        config.client.pongTimeout = Duration.ofMillis(pongMillis);
        config.client.expiredCloseDelay = Duration.ofMillis(expiredCloseDelayMillis);
        return TestNode.withManualTime(config);
    }

    private static FakeTransport transport(ClientSession s) {
        return (FakeTransport) s.transport();
    }

    private static long pings(FakeTransport t) {
        return t.written().stream().filter("{}"::equals).count();
    }

    private static void pong(ClientSession s) {
        s.handleFrame("{}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void unansweredPingClosesWithNoPong() {
        try (TestNode node = node(300, 150, 0)) {
            node.connectToken("t", "u", "", 0, null, List.of());
            ClientSession s = node.connectBidi("websocket", "t", null, null);
            assertTrue(s.connected());
            FakeTransport t = transport(s);
            // The first ping comes after a random part of the interval, between a half and the whole of it.
            node.advance(Duration.ofMillis(149));
            assertEquals(0, pings(t));
            long connectedAt = node.nowMillis() - 149;
            while (pings(t) == 0 && node.nowMillis() - connectedAt < 300) {
                node.advance(MS);
            }
            assertEquals(1, pings(t), "one ping within the interval");
            node.advance(Duration.ofMillis(149));
            assertNull(t.closedWith(), "the pong timeout has not passed yet");
            node.advance(MS);
            assertEquals(3012, t.closedWith().code());
        }
    }

    @Test
    void answeredPingsKeepTheConnection() {
        try (TestNode node = node(200, 100, 0)) {
            node.connectToken("t", "u", "", 0, null, List.of());
            ClientSession s = node.connectBidi("websocket", "t", null, null);
            FakeTransport t = transport(s);
            long answered = 0;
            for (int step = 0; step < 150 && t.closedWith() == null; step++) {
                node.advance(Duration.ofMillis(10));
                long seen = pings(t);
                if (seen > answered) {
                    pong(s);
                    answered = seen;
                }
            }
            assertNull(t.closedWith());
            // 1.5 s: the first ping within 200 ms, then one every 200 ms.
            assertTrue(answered >= 7, "pings answered: " + answered);
        }
    }

    /** Advances in steps of {@code step} up to {@code until} (epoch millis), answering every ping it sees. */
    private static void advanceAnsweringPings(TestNode node, ClientSession s, long until, Duration step) {
        long answered = pings(transport(s));
        while (node.nowMillis() < until && transport(s).closedWith() == null) {
            node.advance(Duration.ofMillis(Math.min(step.toMillis(), until - node.nowMillis())));
            long seen = pings(transport(s));
            if (seen > answered) {
                pong(s);
                answered = seen;
            }
        }
    }

    @Test
    void expiryClosesAfterTheGraceDelayWhilePingsGoOn() {
        try (TestNode node = node(25_000, 8_000, 300)) {
            long expireAt = node.nowMillis() / 1000 + 60;
            node.connectToken("t", new ConnectToken("u", expireAt, 0, "", null, null, List.of(), Map.of()));
            ClientSession s = node.connectBidi("websocket", "t", null, null);
            assertTrue(s.connected());
            FakeTransport t = transport(s);
            long deadline = expireAt * 1000 + 300;
            advanceAnsweringPings(node, s, deadline - 1, Duration.ofSeconds(1));
            assertTrue(pings(t) >= 2, "pings went on: " + pings(t));
            assertNull(t.closedWith(), "not before expiry plus the grace delay");
            node.advance(MS);
            assertEquals(3005, t.closedWith().code());
        }
    }

    @Test
    void refreshMovesTheExpiry() {
        try (TestNode node = node(25_000, 8_000, 300)) {
            long expireAt = node.nowMillis() / 1000 + 10;
            node.connectToken("t", new ConnectToken("u", expireAt, 0, "", null, null, List.of(), Map.of()));
            node.connectToken("later", new ConnectToken("u", expireAt + 30, 0, "", null, null, List.of(), Map.of()));
            ClientSession s = node.connectBidi("websocket", "t", null, null);
            node.advance(Duration.ofSeconds(5));
            TestNode.send(s, "{\"id\":2,\"refresh\":{\"token\":\"later\"}}");
            assertTrue(transport(s).last().contains("\"ttl\":"), transport(s).last());
            advanceAnsweringPings(node, s, (expireAt + 30) * 1000 + 299, Duration.ofSeconds(1));
            assertNull(transport(s).closedWith(), "the refreshed connection outlives the first expiry");
            node.advance(MS);
            assertEquals(3005, transport(s).closedWith().code());
        }
    }

    @Test
    void aConnectionThatNeverConnectsIsClosedAsStale() {
        HeraldConfig config = new HeraldConfig();
        config.client.staleCloseDelay = Duration.ofSeconds(10);
        try (TestNode node = TestNode.withManualTime(config)) {
            node.connectToken("t", "u", "", 0, null, List.of());
            ClientSession idle = node.node.newSession(new FakeTransport());
            ClientSession connected = node.connectBidi("websocket", "t", null, null);
            node.advance(Duration.ofMillis(9_999));
            assertNull(transport(idle).closedWith());
            node.advance(MS);
            assertEquals(3502, transport(idle).closedWith().code());
            assertNull(transport(connected).closedWith(), "a connected session is not stale");
            assertTrue(connected.connected());
        }
    }

    @Test
    void anExpiredSubscriptionIsUnsubscribedWith2501UnlessRefreshed() {
        HeraldConfig config = new HeraldConfig();
        config.client.expiredSubCloseDelay = Duration.ofSeconds(2);
        try (TestNode node = TestNode.withManualTime(config)) {
            long expireAt = node.nowMillis() / 1000 + 20;
            node.connectToken("t", "u", "", 0, null, List.of());
            node.subscribeToken("a", new SubscribeToken("u", "a", "", expireAt, 0, "", null, null, null));
            node.subscribeToken("b", new SubscribeToken("u", "b", "", expireAt, 0, "", null, null, null));
            node.subscribeToken("b2", new SubscribeToken("u", "b", "", expireAt + 60, 0, "", null, null, null));
            ClientSession s = node.connectBidi("websocket", "t", null, null);
            TestNode.send(s, "{\"id\":2,\"subscribe\":{\"channel\":\"a\",\"token\":\"a\"}}");
            TestNode.send(s, "{\"id\":3,\"subscribe\":{\"channel\":\"b\",\"token\":\"b\"}}");
            assertEquals(List.of("a", "b"), s.subscriptions().keySet().stream().sorted().toList());
            advanceAnsweringPings(node, s, node.nowMillis() + 10_000, Duration.ofSeconds(1));
            TestNode.send(s, "{\"id\":4,\"sub_refresh\":{\"channel\":\"b\",\"token\":\"b2\"}}");
            long deadline = expireAt * 1000 + 2_000;
            advanceAnsweringPings(node, s, deadline - 1, Duration.ofSeconds(1));
            assertEquals(2, s.subscriptions().size(), "not before expiry plus the grace delay");
            node.advance(MS);
            assertEquals(List.of("b"), List.copyOf(s.subscriptions().keySet()));
            assertTrue(transport(s).written().contains("{\"push\":{\"channel\":\"a\",\"unsubscribe\":{\"code\":2501,"
                    + "\"reason\":\"subscription expired\"}}}"), transport(s).written().toString());
            advanceAnsweringPings(node, s, deadline + 60_000 - 1, Duration.ofSeconds(1));
            assertEquals(List.of("b"), List.copyOf(s.subscriptions().keySet()));
            node.advance(MS);
            assertTrue(s.subscriptions().isEmpty(), "the refreshed subscription expires at its new time");
            assertTrue(s.connected());
        }
    }
}
