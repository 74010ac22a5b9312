package dev.herald.engines.redis;

import dev.herald.core.channel.ChannelKey;
import dev.herald.core.engine.BrokerEventHandler;
import dev.herald.core.engine.HistoryPage;
import dev.herald.core.engine.HistoryQuery;
import dev.herald.core.engine.MemoryBroker;
import dev.herald.core.engine.PublishOptions;
import dev.herald.core.engine.PublishOutcome;
import dev.herald.core.time.ManualScheduler;
import dev.herald.engines.testing.RedisServer;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;
import dev.herald.protocol.StreamPosition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two {@link RedisBroker}s on one real redis-server stand for two nodes (each with its own connections); a second
 * redis-server makes two shards. The outage test restarts the shared server, so it runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisBrokerTest {
    private static final Duration IO_TIMEOUT = Duration.ofSeconds(2);
    private static final PublishOptions HISTORY = new PublishOptions(1000, Duration.ofMinutes(5), Duration.ofHours(1),
            null);

    private static RedisServer redis;
    private static Node a;
    private static Node b;

    /** One node's broker, its own shards and what its handler received. */
    record Node(RedisShards shards, RedisBroker broker, Recorder events) implements AutoCloseable {
        static Node start(List<String> addresses) {
            RedisShards shards = new RedisShards(addresses, "test", Duration.ofSeconds(1), IO_TIMEOUT);
            RedisBroker broker = new RedisBroker(shards, RedisBrokerOptions.defaults());
            Recorder events = new Recorder();
            broker.start(events);
            return new Node(shards, broker, events);
        }

        void subscribe(ChannelKey channel) {
            broker.subscribe(channel).toCompletableFuture().join();
        }

        PublishOutcome publish(ChannelKey channel, String data, PublishOptions options) {
            return broker.publish(channel, pub(data), options).toCompletableFuture().join();
        }

        HistoryPage history(ChannelKey channel, StreamPosition since, int limit, boolean reverse) {
            return broker.history(channel, new HistoryQuery(since, limit, reverse, null)).toCompletableFuture().join();
        }

        /** A key's value on the first shard (single-shard nodes only). */
        byte[] get(String key) {
            return shards.all().getFirst().commands().sync().get(bytes(key));
        }

        @Override
        public void close() {
            broker.close();
            shards.close();
        }
    }

    /** A handler that records everything, from the broker's worker threads. */
    static final class Recorder implements BrokerEventHandler {
        record Event(ChannelKey channel, char kind, Publication publication, StreamPosition position,
                     ClientInfo info) {
        }

        final List<Event> events = new CopyOnWriteArrayList<>();
        final Set<ChannelKey> interrupted = ConcurrentHashMap.newKeySet();

        @Override
        public void handlePublication(ChannelKey channel, Publication publication, StreamPosition position) {
            events.add(new Event(channel, 'p', publication, position, null));
        }

        @Override
        public void handleJoin(ChannelKey channel, ClientInfo info) {
            events.add(new Event(channel, 'j', null, null, info));
        }

        @Override
        public void handleLeave(ChannelKey channel, ClientInfo info) {
            events.add(new Event(channel, 'l', null, null, info));
        }

        @Override
        public void handleInterrupted(ChannelKey channel) {
            interrupted.add(channel);
        }

        List<Event> of(ChannelKey channel) {
            return events.stream().filter(e -> e.channel().equals(channel)).toList();
        }

        List<String> data(ChannelKey channel) {
            return of(channel).stream().filter(e -> e.kind() == 'p').map(e -> text(e.publication().data())).toList();
        }
    }

    @BeforeAll
    static void startRedis() {
        redis = (RedisServer) new RedisServer().start();
        a = Node.start(List.of(redis.address()));
        b = Node.start(List.of(redis.address()));
    }

    @AfterAll
    static void stopRedis() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        redis.close();
    }

    static Publication pub(String data) {
        return new Publication(bytes(data), null, 0, null, false, 0, null);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static List<Long> offsets(HistoryPage page) {
        return page.publications().stream().map(Publication::offset).toList();
    }

    @Test
    @Order(1)
    void crossNodeDeliveryKeepsOrder() {
        ChannelKey channel = ChannelKey.of("order");
        a.subscribe(channel);
        List<CompletableFuture<PublishOutcome>> sent = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            sent.add(b.broker().publish(channel, pub(Integer.toString(i)), PublishOptions.NO_HISTORY)
                    .toCompletableFuture());
        }
        sent.forEach(f -> assertNull(f.join().position()));
        Await.until(() -> a.events().data(channel).size() == 1000, "1000 publications on node a");
        assertEquals(IntStream.range(0, 1000).mapToObj(Integer::toString).toList(), a.events().data(channel));
        assertTrue(b.events().of(channel).isEmpty(), "node b never subscribed");
    }

    @Test
    @Order(2)
    void concurrentPublishersGetGapFreeDistinctOffsets() throws Exception {
        ChannelKey channel = ChannelKey.of("gapfree");
        a.subscribe(channel);
        b.subscribe(channel);
        List<CompletableFuture<PublishOutcome>> outcomes = new CopyOnWriteArrayList<>();
        Thread[] publishers = new Thread[2];
        for (int n = 0; n < 2; n++) {
            Node node = n == 0 ? a : b;
            publishers[n] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 500; i++) {
                    outcomes.add(node.broker().publish(channel, pub("x"), HISTORY).toCompletableFuture());
                }
            });
        }
        for (Thread t : publishers) {
            t.join(10_000);
        }
        Set<Long> offsets = new HashSet<>();
        Set<String> epochs = new HashSet<>();
        for (CompletableFuture<PublishOutcome> f : outcomes) {
            StreamPosition position = f.join().position();
            offsets.add(position.offset());
            epochs.add(position.epoch());
        }
        assertEquals(LongStream.rangeClosed(1, 1000).boxed().collect(Collectors.toSet()), offsets);
        assertEquals(1, epochs.size());
        for (Node node : List.of(a, b)) {
            Await.until(() -> node.events().of(channel).size() == 1000, "1000 publications on each node");
            List<Long> received = node.events().of(channel).stream().map(e -> e.position().offset()).toList();
            assertEquals(LongStream.rangeClosed(1, 1000).boxed().toList(), received, "delivered in offset order");
            assertEquals(received, node.events().of(channel).stream().map(e -> e.publication().offset()).toList());
        }
        assertEquals(new StreamPosition(1000, epochs.iterator().next()), a.history(channel, null, 0, false).top());
    }

    @Test
    @Order(3)
    void historyReadsMatchTheMemoryBroker() {
        ManualScheduler time = new ManualScheduler();
        MemoryBroker memory = new MemoryBroker(time, time.clock()::millis);
        memory.start(new Recorder());
        ChannelKey channel = ChannelKey.of("reads");
        for (int i = 1; i <= 7; i++) {
            assertEquals(i, b.publish(channel, "m" + i, HISTORY).position().offset());
            memory.publish(channel, pub("m" + i), HISTORY);
        }
        String epoch = a.history(channel, null, 0, false).top().epoch();
        String memoryEpoch = memory.history(channel, new HistoryQuery(null, 0, false, null)).toCompletableFuture()
                .join().top().epoch();
        List<Long> sinces = new ArrayList<>(List.of(-1L, 0L, 1L, 3L, 6L, 7L, 9L));
        for (long since : sinces) {
            for (int limit : new int[]{-1, 0, 1, 2, 10}) {
                for (boolean reverse : new boolean[]{false, true}) {
                    HistoryPage got = a.history(channel, since < 0 ? null : new StreamPosition(since, epoch), limit,
                            reverse);
                    HistoryPage expected = memory.history(channel, new HistoryQuery(
                            since < 0 ? null : new StreamPosition(since, memoryEpoch), limit, reverse, null))
                            .toCompletableFuture().join();
                    String what = "since " + since + " limit " + limit + " reverse " + reverse;
                    assertEquals(offsets(expected), offsets(got), what);
                    assertEquals(expected.publications().stream().map(p -> text(p.data())).toList(),
                            got.publications().stream().map(p -> text(p.data())).toList(), what);
                    assertEquals(new StreamPosition(7, epoch), got.top(), what);
                }
            }
        }
    }

    @Test
    @Order(4)
    void historyIsTrimmedToSizeAndExpires() {
        ChannelKey sized = ChannelKey.of("sized");
        PublishOptions five = new PublishOptions(5, Duration.ofMinutes(1), Duration.ofHours(1), null);
        for (int i = 1; i <= 20; i++) {
            a.publish(sized, "s" + i, five);
        }
        HistoryPage page = b.history(sized, null, -1, false);
        assertEquals(List.of(16L, 17L, 18L, 19L, 20L), offsets(page));
        assertEquals(20, page.top().offset());

        // the stream expires its TTL after the last publish; the position outlives it
        ChannelKey brief = ChannelKey.of("brief");
        a.publish(brief, "b1", new PublishOptions(10, Duration.ofMillis(300), Duration.ofHours(1), null));
        String epoch = b.history(brief, null, 0, false).top().epoch();
        Await.until(() -> b.history(brief, null, -1, false).publications().isEmpty(), "the stream expired");
        assertEquals(new StreamPosition(1, epoch), b.history(brief, null, -1, false).top());
        assertEquals(2, a.publish(brief, "b2", HISTORY).position().offset(), "offsets go on");

        // a lost position (meta TTL) starts a new epoch from offset 0
        ChannelKey lost = ChannelKey.of("lost");
        a.publish(lost, "l1", new PublishOptions(10, Duration.ofMillis(200), Duration.ofMillis(300), null));
        String first = b.history(lost, null, 0, false).top().epoch();
        Await.until(() -> !a.shards().all().getFirst().commands().sync()
                .exists(bytes("test.stream.meta.lost")).equals(1L), "the meta hash expired");
        HistoryPage after = b.history(lost, null, -1, false);
        assertNotEquals(first, after.top().epoch());
        assertEquals(0, after.top().offset());
        assertTrue(after.publications().isEmpty());

        // a read with a meta TTL keeps the position alive
        b.broker().history(sized, new HistoryQuery(null, 0, false, Duration.ofSeconds(30))).toCompletableFuture()
                .join();
        long pttl = a.shards().all().getFirst().commands().sync().pttl(bytes("test.stream.meta.sized"));
        assertTrue(pttl > 0 && pttl <= 30_000, "meta TTL " + pttl);

        // removing the history keeps the position
        b.broker().removeHistory(sized).toCompletableFuture().join();
        HistoryPage removed = a.history(sized, null, -1, false);
        assertTrue(removed.publications().isEmpty());
        assertEquals(20, removed.top().offset());
        assertEquals(21, a.publish(sized, "s21", five).position().offset());
    }

    @Test
    @Order(5)
    void idempotencyKeyPublishesOnceAcrossNodes() {
        ChannelKey channel = ChannelKey.of("idem");
        a.subscribe(channel);
        PublishOptions keyed = new PublishOptions(100, Duration.ofMinutes(5), Duration.ofHours(1), "k1");
        PublishOutcome first = a.publish(channel, "first", keyed);
        PublishOutcome again = b.publish(channel, "second", keyed);
        assertEquals(first, again);
        assertEquals(1, first.position().offset());
        assertEquals("1:" + first.position().epoch(), text(a.get("test.result.idem.k1")));
        long ttl = a.shards().all().getFirst().commands().sync().pttl(bytes("test.result.idem.k1"));
        assertTrue(ttl > 0 && ttl <= Duration.ofMinutes(5).toMillis(), "result TTL " + ttl);

        // without history the key is honoured too
        PublishOptions plain = new PublishOptions(0, Duration.ZERO, Duration.ZERO, "k2");
        assertEquals(PublishOutcome.NONE, b.publish(channel, "plain", plain));
        assertEquals(PublishOutcome.NONE, a.publish(channel, "plain again", plain));

        // a last publication after the duplicates: once it arrives, anything they had sent would have too
        b.publish(channel, "sentinel", PublishOptions.NO_HISTORY);
        Await.until(() -> a.events().data(channel).contains("sentinel"), "the sentinel");
        assertEquals(List.of("first", "plain", "sentinel"), a.events().data(channel));
        assertEquals(List.of("first"), a.history(channel, null, -1, false).publications().stream()
                .map(p -> text(p.data())).toList());
    }

    @Test
    @Order(6)
    void joinAndLeaveReachOtherNodes() {
        ChannelKey channel = ChannelKey.of("presence");
        a.subscribe(channel);
        ClientInfo info = new ClientInfo("u1", "c1", bytes("{\"conn\":1}"), bytes("{\"chan\":2}"));
        b.broker().publishJoin(channel, info).toCompletableFuture().join();
        b.broker().publishLeave(channel, new ClientInfo("u2", "c2", null, null)).toCompletableFuture().join();
        Await.until(() -> a.events().of(channel).size() == 2, "join and leave");
        Recorder.Event join = a.events().of(channel).get(0);
        Recorder.Event leave = a.events().of(channel).get(1);
        assertEquals('j', join.kind());
        assertEquals("u1", join.info().user());
        assertEquals("c1", join.info().client());
        assertArrayEquals(info.connInfo(), join.info().connInfo());
        assertArrayEquals(info.chanInfo(), join.info().chanInfo());
        assertEquals('l', leave.kind());
        assertEquals("u2", leave.info().user());
    }

    @Test
    @Order(7)
    void appsDoNotCollide() {
        ChannelKey plain = ChannelKey.of("room");
        ChannelKey scoped = new ChannelKey("app1", "room");
        a.subscribe(plain);
        a.subscribe(scoped);
        assertEquals(1, b.publish(plain, "default app", HISTORY).position().offset());
        assertEquals(1, b.publish(scoped, "app1", HISTORY).position().offset());
        Await.until(() -> a.events().data(plain).size() == 1 && a.events().data(scoped).size() == 1,
                "one publication in each app");
        assertEquals(List.of("default app"), a.events().data(plain));
        assertEquals(List.of("app1"), a.events().data(scoped));
        var redisCommands = a.shards().all().getFirst().commands().sync();
        assertEquals(1L, redisCommands.exists(bytes("test.stream.room")));
        assertEquals(1L, redisCommands.exists(bytes("test.app.app1.stream.room")));
        assertEquals(Set.of("test.client.room", "test.app.app1.client.room", "test.client.order",
                "test.client.gapfree", "test.client.idem", "test.client.presence"), a.broker().subscribedOn(0));
        assertEquals(plain, a.broker().channelOf("test.client.room"));
        assertEquals(scoped, a.broker().channelOf("test.app.app1.client.room"));
        assertEquals(ChannelKey.of("a.b:c"), a.broker().channelOf("test.client.a.b:c"));
    }

    @Test
    @Order(8)
    void unsubscribeLeavesTheRedisChannel() {
        ChannelKey channel = ChannelKey.of("brief-visit");
        a.subscribe(channel);
        assertEquals(1L, subscribers("test.client.brief-visit"));
        a.broker().unsubscribe(channel).toCompletableFuture().join();
        assertEquals(0L, subscribers("test.client.brief-visit"));
        assertFalse(a.broker().subscribedOn(0).contains("test.client.brief-visit"));
    }

    /** How many connections Redis counts as subscribed to a PUB/SUB channel. */
    static long subscribers(String pubsub) {
        return a.shards().all().getFirst().commands().sync().pubsubNumsub(bytes(pubsub)).values().iterator().next();
    }

    @Test
    @Order(9)
    void twoShardsSpreadChannelsAndStillDeliver() {
        try (RedisServer second = (RedisServer) new RedisServer().start();
             Node c = Node.start(List.of(redis.address(), second.address()));
             Node d = Node.start(List.of(redis.address(), second.address()))) {
            List<ChannelKey> channels = IntStream.range(0, 20).mapToObj(i -> ChannelKey.of("sharded-" + i)).toList();
            channels.forEach(c::subscribe);
            assertFalse(c.broker().subscribedOn(0).isEmpty(), "shard 0 holds some channels");
            assertFalse(c.broker().subscribedOn(1).isEmpty(), "shard 1 holds some channels");
            for (ChannelKey channel : channels) {
                assertEquals(1, d.publish(channel, channel.name(), HISTORY).position().offset());
            }
            Await.until(() -> channels.stream().allMatch(ch -> c.events().data(ch).equals(List.of(ch.name()))),
                    "each channel's publication on node c");
            for (ChannelKey channel : channels) {
                RedisShard home = d.shards().forKey(channel.name());
                RedisShard other = d.shards().all().get(1 - home.index());
                byte[] stream = bytes("test.stream." + channel.name());
                assertEquals(1L, home.commands().sync().exists(stream), channel + " on its own shard");
                assertEquals(0L, other.commands().sync().exists(stream), channel + " not on the other");
            }
        }
    }

    @Test
    @Order(10)
    void startFailsNamingAnUnreachableAddress() {
        RedisServer never = new RedisServer();
        RedisShards shards = new RedisShards(List.of(never.address()), "test", Duration.ofMillis(500), IO_TIMEOUT);
        try {
            RedisBroker broker = new RedisBroker(shards, RedisBrokerOptions.defaults());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> broker.start(new Recorder()));
            assertTrue(e.getMessage().contains("127.0.0.1:" + never.port()), e.getMessage());
        } finally {
            shards.close();
        }
    }

    @Test
    @Order(100)
    void survivesARedisRestart() {
        ChannelKey channel = ChannelKey.of("outage");
        a.subscribe(channel);
        b.publish(channel, "before", PublishOptions.NO_HISTORY);
        Await.until(() -> a.events().data(channel).equals(List.of("before")), "delivery before the outage");
        assertTrue(a.broker().healthy());

        ChannelKey left = ChannelKey.of("left-while-down");
        a.subscribe(left);
        a.subscribe(new ChannelKey("app2", "outage"));

        redis.stop();
        assertThrows(CompletionException.class, () -> a.broker().unsubscribe(left).toCompletableFuture().join());
        Await.until(() -> !a.broker().healthy() && !b.broker().healthy(), "both nodes see the outage");
        long started = System.nanoTime();
        CompletableFuture<PublishOutcome> whileDown = b.broker().publish(channel, pub("lost"), HISTORY)
                .toCompletableFuture();
        CompletionException failure = assertThrows(CompletionException.class, whileDown::join);
        assertNotNull(failure.getCause());
        assertTrue(System.nanoTime() - started < IO_TIMEOUT.toNanos(), "failed fast: " + failure.getCause());
        assertThrows(CompletionException.class,
                () -> a.broker().history(channel, new HistoryQuery(null, -1, false, null)).toCompletableFuture().join());
        assertTrue(a.events().interrupted.isEmpty());

        redis.start();
        Await.until(() -> a.events().interrupted.contains(channel), Duration.ofSeconds(40),
                "node a resubscribed and reported the channel interrupted");
        Await.until(() -> a.broker().healthy() && b.broker().healthy(), Duration.ofSeconds(40), "both healthy again");
        Set<ChannelKey> wanted = new HashSet<>();
        a.broker().subscribedOn(0).forEach(name -> wanted.add(a.broker().channelOf(name)));
        assertTrue(wanted.contains(new ChannelKey("app2", "outage")));
        // The reports go through the delivery lanes (behind each channel's earlier messages): wait for them all.
        Await.until(() -> a.events().interrupted.equals(wanted), Duration.ofSeconds(10),
                "every subscribed channel reported interrupted");
        assertEquals(wanted, a.events().interrupted, "every subscribed channel, no other");
        assertFalse(a.events().interrupted.contains(left), "a channel left while down is not reported");
        // Lettuce resubscribed the channel whose UNSUBSCRIBE failed; the broker leaves it again
        Await.until(() -> subscribers("test.client.left-while-down") == 0, "the stray subscription is dropped");
        b.publish(channel, "after", PublishOptions.NO_HISTORY);
        // the first publish with history after the restart finds no script cached (EVALSHA -> NOSCRIPT -> EVAL)
        assertEquals(1, b.publish(channel, "history after", HISTORY).position().offset());
        Await.until(() -> a.events().data(channel).size() == 3, "delivery after the restart");
        assertEquals(List.of("before", "after", "history after"), a.events().data(channel));
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) < 60);
    }
}
