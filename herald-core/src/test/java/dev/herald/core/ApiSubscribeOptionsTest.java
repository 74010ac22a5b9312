package dev.herald.core;

import dev.herald.core.api.ApiRequest;
import dev.herald.core.client.ClientSession;
import dev.herald.core.codes.Disconnect;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.testing.FakeTransport;
import dev.herald.core.testing.TestNode;
import dev.herald.protocol.StreamPosition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server API {@code subscribe} with {@code recover_since} and {@code expire_at}. */
class ApiSubscribeOptionsTest {
    private TestNode t;
    private ClientSession session;
    private FakeTransport transport;

    @BeforeEach
    void setUp() {
        HeraldConfig config = new HeraldConfig();
        config.client.expiredSubCloseDelay = Duration.ZERO;
        HeraldConfig.Namespace rec = new HeraldConfig.Namespace();
        rec.name = "rec";
        rec.historySize = 10;
        rec.historyTtl = Duration.ofMinutes(5);
        rec.forceRecovery = true;
        config.channel.namespaces.add(rec);
        t = new TestNode(config);
        t.connectToken("u42", "42", "", 0, null, List.of());
        session = t.connectBidi("websocket", "u42", null, null);
        transport = TestNode.transport(session);
        assertTrue(session.connected());
    }

    @AfterEach
    void tearDown() {
        t.close();
    }

    private StreamPosition publish(String channel, String data) {
        return t.node.publish(channel, data.getBytes(StandardCharsets.UTF_8), null, null, false, null)
                .toCompletableFuture().join().position();
    }

    private void subscribe(String channel, StreamPosition recoverSince, long expireAt) {
        t.api.subscribe(new ApiRequest.Subscribe("42", channel, null, null, null, null, null, null, recoverSince,
                expireAt, null)).toCompletableFuture().join();
    }

    @Test
    void recoverSincePushesTheMissedPublicationsAfterTheSubscribePush() {
        publish("rec:a", "1");
        StreamPosition since = publish("rec:a", "2");
        publish("rec:a", "3");
        StreamPosition top = publish("rec:a", "4");
        int before = transport.written().size();
        subscribe("rec:a", since, 0);
        publish("rec:a", "5");
        List<String> pushes = transport.written().subList(before, transport.written().size());
        assertEquals(List.of(
                "{\"push\":{\"channel\":\"rec:a\",\"subscribe\":{\"recoverable\":true,\"epoch\":\"" + top.epoch()
                        + "\",\"offset\":2,\"positioned\":true}}}",
                "{\"push\":{\"channel\":\"rec:a\",\"pub\":{\"data\":3,\"offset\":3}}}",
                "{\"push\":{\"channel\":\"rec:a\",\"pub\":{\"data\":4,\"offset\":4}}}",
                "{\"push\":{\"channel\":\"rec:a\",\"pub\":{\"data\":5,\"offset\":5}}}"), pushes);
    }

    @Test
    void anUnrecoverablePositionSubscribesAtTheTopWithoutPublications() {
        publish("rec:b", "1");
        StreamPosition top = publish("rec:b", "2");
        int before = transport.written().size();
        subscribe("rec:b", new StreamPosition(1, "other-epoch"), 0);
        assertEquals(List.of("{\"push\":{\"channel\":\"rec:b\",\"subscribe\":{\"recoverable\":true,\"epoch\":\""
                        + top.epoch() + "\",\"offset\":2,\"positioned\":true}}}"),
                transport.written().subList(before, transport.written().size()));
    }

    @Test
    void expireAtSetsTheSubscriptionsExpiryAndAnExpiredOneDisconnects() throws InterruptedException {
        long expireAt = System.currentTimeMillis() / 1000 + 1;
        subscribe("news", null, expireAt);
        assertEquals(expireAt, session.subscriptions().get("news").expireAt());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (transport.closedWith() == null && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // polls the condition, bounded above
        }
        assertEquals(Disconnect.SUBSCRIPTION_EXPIRED, transport.closedWith());
    }

    @Test
    void anExpireAtInThePastSubscribesNoOne() {
        subscribe("news", null, System.currentTimeMillis() / 1000 - 10);
        assertFalse(session.subscriptions().containsKey("news"));
        assertTrue(session.connected());
    }
}
