package dev.herald.core;

import dev.herald.core.telemetry.Telemetry;
import dev.herald.core.channel.ChannelKey;
import dev.herald.core.client.ClientSession;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.engine.BrokerEventHandler;
import dev.herald.core.engine.MemoryBroker;
import dev.herald.core.engine.MemoryPresenceManager;
import dev.herald.core.testing.FakeTransport;
import dev.herald.core.testing.ForwardingBroker;
import dev.herald.core.time.ManualScheduler;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;
import dev.herald.protocol.StreamPosition;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Positioned subscriptions notice a publication that never reached them, at the next position check. The node
 * runs on manual time and the transport on the test thread, so the check runs exactly when the test moves time.
 */
class PositioningTest {

    /** A memory broker that can lose the next publication on its way to this node (as a broken network would). */
    static final class LossyBroker extends ForwardingBroker {
        final AtomicBoolean loseNext = new AtomicBoolean();
        final AtomicBoolean duplicateNext = new AtomicBoolean();

        LossyBroker(MemoryBroker inner) {
            super(inner);
        }

        @Override
        public void start(BrokerEventHandler handler) {
            inner.start(new BrokerEventHandler() {
                @Override
                public void handlePublication(ChannelKey channel, Publication publication, StreamPosition position) {
                    if (!loseNext.getAndSet(false)) {
                        handler.handlePublication(channel, publication, position);
                    }
                    if (duplicateNext.getAndSet(false)) {
                        handler.handlePublication(channel, publication, position);
                    }
                }

                @Override
                public void handleJoin(ChannelKey channel, ClientInfo info) {
                    handler.handleJoin(channel, info);
                }

                @Override
                public void handleLeave(ChannelKey channel, ClientInfo info) {
                    handler.handleLeave(channel, info);
                }
            });
        }
    }

    private ManualScheduler time;
    private LossyBroker broker;
    private Node node;
    private FakeTransport t;
    private ClientSession s;

    /**
     * A node on manual time over a {@link LossyBroker}, namespace {@code pos} (history 100, positioned; recoverable
     * when {@code recovery}), and one connected client {@code s} on transport {@code t}.
     */
    private void start(Duration checkDelay, boolean recovery) {
        HeraldConfig config = new HeraldConfig();
        config.client.insecure = true;
        if (checkDelay != null) {
            config.client.channelPositionCheckDelay = checkDelay;
        }
        HeraldConfig.Namespace pos = new HeraldConfig.Namespace();
        pos.name = "pos";
        pos.historySize = 100;
        pos.historyTtl = Duration.ofMinutes(5);
        pos.forcePositioning = !recovery;
        pos.forceRecovery = recovery;
        config.channel.namespaces.add(pos);
        time = new ManualScheduler();
        broker = new LossyBroker(new MemoryBroker(time, time.clock()::millis));
        node = new Node(config.freeze(), broker, new MemoryPresenceManager(), null, null, time, time.clock(),
                "t", "0", Telemetry.NOOP);
        node.start();
        t = new FakeTransport();
        s = node.newSession(t);
        s.handleFrame(json("{\"id\":1,\"connect\":{}}"));
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void lostPublicationUnsubscribesWith2500AndHealthySubscriptionStays() {
        start(Duration.ofMillis(100), false);
        s.handleFrame(json("{\"id\":2,\"subscribe\":{\"channel\":\"pos:ok\"}}"));
        s.handleFrame(json("{\"id\":3,\"subscribe\":{\"channel\":\"pos:lossy\"}}"));
        assertEquals(2, s.subscriptions().size());
        node.publish("pos:ok", json("1"), null, null, false, null);
        broker.loseNext.set(true);
        node.publish("pos:lossy", json("1"), null, null, false, null);
        // The first check notes the top, the second finds it never arrived: a publication in flight at the first
        // check has a whole period to arrive.
        time.advance(Duration.ofMillis(199));
        assertFalse(t.written().stream().anyMatch(f -> f.contains("\"unsubscribe\"")), "not before the 2nd check");
        assertEquals(2, s.subscriptions().size());
        time.advance(Duration.ofMillis(1));
        assertTrue(t.written().contains("{\"push\":{\"channel\":\"pos:lossy\",\"unsubscribe\":{\"code\":2500,"
                + "\"reason\":\"insufficient state\"}}}"), t.written().toString());
        assertEquals(java.util.Set.of("pos:ok"), s.subscriptions().keySet(), "the healthy subscription stays");
        time.advance(Duration.ofMillis(100));
        assertEquals(java.util.Set.of("pos:ok"), s.subscriptions().keySet(), "the next check finds it healthy");
        node.shutdown();
    }

    @Test
    void aBrokerInterruptionIsCheckedAtOnceNotAtThePeriodicCheck() {
        start(Duration.ofSeconds(40), true);
        s.handleFrame(json("{\"id\":2,\"subscribe\":{\"channel\":\"pos:a\"}}"));
        s.handleFrame(json("{\"id\":3,\"subscribe\":{\"channel\":\"pos:b\"}}"));
        node.publish("pos:a", json("1"), null, null, false, null);
        broker.loseNext.set(true);
        node.publish("pos:a", json("2"), null, null, false, null);
        node.publish("pos:b", json("1"), null, null, false, null);

        // The broker lost its subscription to both channels and is back: only pos:a missed something.
        node.handleInterrupted(ChannelKey.of("pos:a"));
        node.handleInterrupted(ChannelKey.of("pos:b"));
        time.advance(Duration.ofMillis(999));
        assertEquals(2, s.subscriptions().size(), "in-flight deliveries get the grace period");
        time.advance(Duration.ofMillis(1));
        assertTrue(t.written().contains("{\"push\":{\"channel\":\"pos:a\",\"unsubscribe\":{\"code\":2500,"
                + "\"reason\":\"insufficient state\"}}}"), t.written().toString());
        assertEquals(java.util.Set.of("pos:b"), s.subscriptions().keySet(), "the complete stream stays");
        node.shutdown();
    }

    @Test
    void aDeliveryAfterALostOneUnsubscribesAtOnceWithoutWritingIt() {
        start(Duration.ofSeconds(40), true);
        s.handleFrame(json("{\"id\":2,\"subscribe\":{\"channel\":\"pos:a\"}}"));
        node.publish("pos:a", json("1"), null, null, false, null);
        node.publish("pos:a", json("2"), null, null, false, null);
        broker.loseNext.set(true);
        node.publish("pos:a", json("3"), null, null, false, null);
        assertEquals(1, s.subscriptions().size(), "a lost publication alone waits for a check");

        node.publish("pos:a", json("4"), null, null, false, null);
        assertTrue(t.written().contains("{\"push\":{\"channel\":\"pos:a\",\"unsubscribe\":{\"code\":2500,"
                + "\"reason\":\"insufficient state\"}}}"), "offset 4 after 2: told at once " + t.written());
        assertFalse(t.written().stream().anyMatch(f -> f.contains("\"offset\":4")),
                "4 is not written: the client recovers 3 and 4 from its position 2 " + t.written());
        assertTrue(t.written().stream().anyMatch(f -> f.contains("\"offset\":2")), t.written().toString());
        assertTrue(s.subscriptions().isEmpty());
        node.shutdown();
    }

    @Test
    void aPublicationDeliveredTwiceIsWrittenOnceAndIsNoGap() {
        start(null, true);
        s.handleFrame(json("{\"id\":2,\"subscribe\":{\"channel\":\"pos:a\"}}"));
        node.publish("pos:a", json("1"), null, null, false, null);
        broker.duplicateNext.set(true);
        node.publish("pos:a", json("2"), null, null, false, null);
        node.publish("pos:a", json("3"), null, null, false, null);
        assertEquals(1, s.subscriptions().size(), "a duplicate is not a gap");
        assertEquals(1, t.written().stream().filter(f -> f.contains("\"offset\":2")).count(), t.written().toString());
        assertTrue(t.written().stream().anyMatch(f -> f.contains("\"offset\":3")), t.written().toString());
        node.shutdown();
    }
}
