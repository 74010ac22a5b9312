package dev.herald.core;

import dev.herald.core.auth.ConnectToken;
import dev.herald.core.client.ClientSession;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.testing.FakeTransport;
import dev.herald.core.testing.TestNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pings, pong deadlines and expiry share one timer per session; each still does what it did on its own. */
class SessionTimerTest {

    private static TestNode node(long pingMillis, long pongMillis, long expiredCloseDelayMillis) {
        HeraldConfig config = new HeraldConfig();
        config.client.pingInterval = Duration.ofMillis(pingMillis);
        config.client.pongTimeout = Duration.ofMillis(pongMillis);
        config.client.expiredCloseDelay = Duration.ofMillis(expiredCloseDelayMillis);
        return new TestNode(config);
    }

    private static FakeTransport transport(ClientSession s) {
        return (FakeTransport) s.transport();
    }

    private static long pings(FakeTransport t) {
        return t.written().stream().filter("{}"::equals).count();
    }

    private static void await(BooleanSupplier condition, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean() && System.currentTimeMillis() < end) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean(), "condition not met within " + millis + " ms");
    }

    @Test
    void unansweredPingClosesWithNoPong() throws Exception {
        try (TestNode node = node(300, 150, 0)) {
            node.connectToken("t", "u", "", 0, null, List.of());
            ClientSession s = node.connectBidi("websocket", "t", null, null);
            assertTrue(s.connected());
            await(() -> pings(transport(s)) >= 1, 2000);
            await(() -> transport(s).closedWith() != null, 2000);
            assertEquals(3012, transport(s).closedWith().code());
        }
    }

    @Test
    void answeredPingsKeepTheConnection() throws Exception {
        try (TestNode node = node(200, 100, 0)) {
            node.connectToken("t", "u", "", 0, null, List.of());
            ClientSession s = node.connectBidi("websocket", "t", null, null);
            FakeTransport t = transport(s);
            long answered = 0;
            long end = System.currentTimeMillis() + 1500;
            while (System.currentTimeMillis() < end && t.closedWith() == null) {
                long seen = pings(t);
                if (seen > answered) {
                    s.handleFrame("{}".getBytes(StandardCharsets.UTF_8));
                    answered = seen;
                }
                Thread.sleep(5);
            }
            assertNull(t.closedWith());
            assertTrue(answered >= 3, "pings answered: " + answered);
        }
    }

    @Test
    void expiryClosesAfterTheGraceDelayWhilePingsGoOn() throws Exception {
        try (TestNode node = node(25_000, 8_000, 300)) {
            long expireAt = System.currentTimeMillis() / 1000 + 1;
            node.connectToken("t", new ConnectToken("u", expireAt, 0, "", null, null, List.of(), Map.of()));
            ClientSession s = node.connectBidi("websocket", "t", null, null);
            assertTrue(s.connected());
            await(() -> transport(s).closedWith() != null, 3000);
            assertEquals(3005, transport(s).closedWith().code());
            assertTrue(System.currentTimeMillis() >= expireAt * 1000 + 300);
        }
    }
}
