package dev.herald.core.engine;

import dev.herald.core.channel.ChannelKey;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;
import dev.herald.core.time.ManualScheduler;
import dev.herald.protocol.StreamPosition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The memory broker on manual time: its TTLs and its once-a-second sweep move only when the test advances. */
class MemoryBrokerTest {
    private final ManualScheduler time = new ManualScheduler();
    private final List<Publication> delivered = new ArrayList<>();
    private MemoryBroker broker;

    @BeforeEach
    void setUp() {
        broker = new MemoryBroker(time, time.clock()::millis);
        broker.start(new BrokerEventHandler() {
            @Override
            public void handlePublication(ChannelKey channel, Publication publication, StreamPosition position) {
                delivered.add(publication);
            }

            @Override
            public void handleJoin(ChannelKey channel, ClientInfo info) {
            }

            @Override
            public void handleLeave(ChannelKey channel, ClientInfo info) {
            }
        });
    }

    private static Publication pub(int n) {
        return new Publication(("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8), null, 0, null, false, 0, null);
    }

    private static PublishOptions history(int size, Duration ttl, Duration metaTtl) {
        return new PublishOptions(size, ttl, metaTtl, null);
    }

    private HistoryPage read(String channel, StreamPosition since, int limit, boolean reverse) {
        return broker.history(ChannelKey.of(channel), new HistoryQuery(since, limit, reverse, null)).toCompletableFuture().join();
    }

    @Test
    void offsetsIncreaseAndHistoryIsBoundedBySize() {
        PublishOptions options = history(10, Duration.ofMinutes(1), Duration.ofHours(1));
        for (int i = 1; i <= 10_000; i++) {
            broker.publish(ChannelKey.of("c"), pub(i), options);
        }
        HistoryPage page = read("c", null, -1, false);
        assertEquals(10, page.publications().size());
        assertEquals(9_991, page.publications().getFirst().offset());
        assertEquals(10_000, page.top().offset());
        assertEquals(10_000, delivered.size());
        assertEquals(10_000, delivered.getLast().offset());
    }

    @Test
    void sinceAndReverseAndLimit() {
        PublishOptions options = history(100, Duration.ofMinutes(1), Duration.ofHours(1));
        for (int i = 1; i <= 5; i++) {
            broker.publish(ChannelKey.of("c"), pub(i), options);
        }
        String epoch = read("c", null, 0, false).top().epoch();
        assertEquals(List.of(4L, 5L), read("c", new StreamPosition(3, epoch), -1, false).publications().stream()
                .map(Publication::offset).toList());
        assertEquals(List.of(5L, 4L), read("c", null, 2, true).publications().stream()
                .map(Publication::offset).toList());
        assertEquals(List.of(2L, 1L), read("c", new StreamPosition(3, epoch), -1, true).publications().stream()
                .map(Publication::offset).toList());
        assertTrue(read("c", null, 0, false).publications().isEmpty());
    }

    @Test
    void publicationsExpireAfterTtlAndStreamsAfterMetaTtl() {
        broker.publish(ChannelKey.of("a"), pub(1), history(10, Duration.ofSeconds(5), Duration.ofSeconds(60)));
        broker.publish(ChannelKey.of("b"), pub(1), history(10, Duration.ofSeconds(5), Duration.ofSeconds(60)));
        assertEquals(2, broker.streamCount());
        time.advance(Duration.ofMillis(4_999));
        assertEquals(1, read("a", null, -1, false).publications().size(), "kept until the TTL");
        time.advance(Duration.ofMillis(1_001));
        assertTrue(read("a", null, -1, false).publications().isEmpty());
        assertEquals(1, read("a", null, -1, false).top().offset(), "position outlives publications");
        // No explicit sweep: the broker's own scheduled sweep removes the streams whose meta TTL has passed.
        time.advance(Duration.ofSeconds(60));
        assertEquals(0, broker.streamCount());
    }

    @Test
    void lostStreamGetsNewEpoch() {
        broker.publish(ChannelKey.of("a"), pub(1), history(10, Duration.ofSeconds(5), Duration.ofSeconds(10)));
        String epoch = read("a", null, 0, false).top().epoch();
        time.advance(Duration.ofSeconds(20));
        HistoryPage after = read("a", null, 0, false);
        assertNotEquals(epoch, after.top().epoch());
        assertEquals(0, after.top().offset());
    }

    @Test
    void removeHistoryKeepsPosition() {
        PublishOptions options = history(10, Duration.ofMinutes(1), Duration.ofHours(1));
        broker.publish(ChannelKey.of("c"), pub(1), options);
        broker.publish(ChannelKey.of("c"), pub(2), options);
        broker.removeHistory(ChannelKey.of("c"));
        HistoryPage page = read("c", null, -1, false);
        assertTrue(page.publications().isEmpty());
        assertEquals(2, page.top().offset());
    }

    @Test
    void idempotencyKeyReturnsTheFirstResultAndPublishesOnce() {
        PublishOptions keyed = new PublishOptions(10, Duration.ofMinutes(10), Duration.ofHours(1), "k1");
        PublishOutcome first = broker.publish(ChannelKey.of("c"), pub(1), keyed).toCompletableFuture().join();
        PublishOutcome again = broker.publish(ChannelKey.of("c"), pub(2), keyed).toCompletableFuture().join();
        assertEquals(first, again);
        assertEquals(1, first.position().offset());
        assertEquals(1, delivered.size());
        assertEquals(1, read("c", null, -1, false).publications().size());
        // the key is scoped by channel: another channel publishes
        broker.publish(ChannelKey.of("d"), pub(3), keyed);
        assertEquals(2, delivered.size());
        // without history the key is honoured too
        PublishOptions plain = new PublishOptions(0, Duration.ZERO, Duration.ZERO, "k2");
        broker.publish(ChannelKey.of("c"), pub(4), plain);
        assertEquals(PublishOutcome.NONE, broker.publish(ChannelKey.of("c"), pub(5), plain).toCompletableFuture().join());
        assertEquals(3, delivered.size());
    }

    @Test
    void idempotencyResultsExpireAndAreSwept() {
        PublishOptions keyed = new PublishOptions(10, Duration.ofMinutes(10), Duration.ofHours(1), "k");
        broker.publish(ChannelKey.of("c"), pub(1), keyed);
        time.advance(MemoryBroker.IDEMPOTENCY_TTL.minusSeconds(1));
        broker.publish(ChannelKey.of("c"), pub(2), keyed);
        assertEquals(1, delivered.size(), "within the window");
        time.advance(Duration.ofSeconds(2));
        assertEquals(0, broker.idempotencyResultCount(), "the sweep dropped the expired result");
        PublishOutcome later = broker.publish(ChannelKey.of("c"), pub(3), keyed).toCompletableFuture().join();
        assertEquals(2, later.position().offset());
        assertEquals(2, delivered.size());
    }
}
