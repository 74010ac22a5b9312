package dev.herald.engines.redis;

import dev.herald.core.channel.ChannelKey;
import dev.herald.core.engine.PresenceManager.PresenceStats;
import dev.herald.core.time.ExecutorScheduler;
import dev.herald.engines.testing.RedisServer;
import dev.herald.protocol.ClientInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two "nodes" (two managers) on one real redis-server, with a 2 s presence TTL. */
class RedisPresenceManagerTest {
    private static final Duration TTL = Duration.ofSeconds(2);
    private static final AtomicInteger CHANNELS = new AtomicInteger();

    private static RedisServer redis;
    private static RedisShards shards;
    private static ScheduledExecutorService timer;

    private final List<RedisPresenceManager> managers = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        redis = (RedisServer) new RedisServer().start();
        shards = new RedisShards(List.of(redis.address()), "test", Duration.ofSeconds(1), Duration.ofSeconds(2));
        timer = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stopRedis() {
        timer.shutdownNow();
        shards.close();
        redis.close();
    }

    @AfterEach
    void closeManagers() {
        managers.forEach(RedisPresenceManager::close);
    }

    private RedisPresenceManager node() {
        RedisPresenceManager manager = new RedisPresenceManager(shards, new ExecutorScheduler(timer),
                new RedisPresenceManager.Options(TTL));
        manager.start();
        managers.add(manager);
        return manager;
    }

    /** A channel no other test uses, so tests never see each other's entries. */
    private static ChannelKey channel() {
        return ChannelKey.of("room-" + CHANNELS.incrementAndGet());
    }

    private static ClientInfo info(String user, String client) {
        return new ClientInfo(user, client, ("{\"name\":\"" + user + "\"}").getBytes(StandardCharsets.UTF_8), null);
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static void await(BooleanSupplier condition, Duration bound, String what) throws Exception {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(20); // polling a condition with a bound, not standing in for synchronisation
        }
    }

    private static Set<String> clients(RedisPresenceManager m, ChannelKey channel) {
        try {
            return get(m.presence(channel)).keySet();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void twoNodesShareOnePresenceWithTheirInfos() throws Exception {
        RedisPresenceManager one = node();
        RedisPresenceManager two = node();
        ChannelKey chat = channel();

        get(one.addPresence(chat, "c1", info("alice", "c1")));
        get(two.addPresence(chat, "c2", info("bob", "c2")));

        for (RedisPresenceManager m : List.of(one, two)) {
            Map<String, ClientInfo> present = get(m.presence(chat));
            assertEquals(Set.of("c1", "c2"), present.keySet());
            ClientInfo alice = present.get("c1");
            assertEquals("alice", alice.user());
            assertEquals("c1", alice.client());
            assertArrayEquals(info("alice", "c1").connInfo(), alice.connInfo());
        }
        assertEquals(Map.of(), get(one.presence(channel())), "an unknown channel is empty");
    }

    @Test
    void statsCountDistinctClientsAndUsers() throws Exception {
        RedisPresenceManager one = node();
        RedisPresenceManager two = node();
        ChannelKey chat = channel();
        get(one.addPresence(chat, "c1", info("alice", "c1")));
        get(two.addPresence(chat, "c2", info("alice", "c2")));
        get(two.addPresence(chat, "c3", info("bob", "c3")));

        assertEquals(new PresenceStats(3, 2), get(one.presenceStats(chat)));
        assertEquals(new PresenceStats(0, 0), get(one.presenceStats(channel())));
    }

    @Test
    void removeTakesTheEntryAwayForEveryNodeAndTheRefreshDoesNotBringItBack() throws Exception {
        RedisPresenceManager one = node();
        RedisPresenceManager two = node();
        ChannelKey chat = channel();
        get(one.addPresence(chat, "c1", info("alice", "c1")));
        get(one.addPresence(chat, "c2", info("bob", "c2")));

        get(one.removePresence(chat, "c1", "alice"));
        assertEquals(Set.of("c2"), clients(two, chat));

        long rounds = one.refreshRounds();
        await(() -> one.refreshRounds() >= rounds + 2, Duration.ofSeconds(5), "two refresh rounds");
        assertEquals(Set.of("c2"), clients(two, chat));
        get(one.removePresence(chat, "c2", "bob"));
        assertEquals(Set.of(), clients(two, chat));
    }

    @Test
    void aDeadNodesEntriesExpireWithinTheTtlWhileTheLiveNodeRefreshesItsOwn() throws Exception {
        RedisPresenceManager live = node();
        RedisPresenceManager dead = node();
        ChannelKey chat = channel();
        long added = System.nanoTime();
        get(live.addPresence(chat, "alive", info("alice", "alive")));
        get(dead.addPresence(chat, "ghost", info("bob", "ghost")));
        dead.close(); // killed: stops refreshing, removes nothing

        assertEquals(Set.of("alive", "ghost"), clients(live, chat));
        await(() -> !clients(live, chat).contains("ghost"), TTL.multipliedBy(3), "the dead node's entry to expire");
        // Both entries were written at the same time with the same TTL: the live one is still there only because
        // its node refreshed it.
        assertTrue(System.nanoTime() - added >= TTL.toNanos(), "expired no earlier than the TTL");
        assertEquals(Set.of("alive"), clients(live, chat));
        assertEquals(new PresenceStats(1, 1), get(live.presenceStats(chat)));
    }

    @Test
    void appsDoNotCollideAndTheDefaultAppUsesCentrifugosKeys() throws Exception {
        RedisPresenceManager one = node();
        String name = channel().name();
        ChannelKey plain = ChannelKey.of(name);
        ChannelKey scoped = new ChannelKey("pusher1", name);
        get(one.addPresence(plain, "c1", info("alice", "c1")));
        get(one.addPresence(scoped, "c2", info("bob", "c2")));

        assertEquals(Set.of("c1"), clients(one, plain));
        assertEquals(Set.of("c2"), clients(one, scoped));

        var redisCommands = shards.forKey(name).commands().async();
        Map<byte[], byte[]> data = redisCommands.hgetall(bytes("test.presence.data." + name)).get(5, TimeUnit.SECONDS);
        assertEquals(1, data.size());
        assertEquals("c1", new String(data.keySet().iterator().next(), StandardCharsets.UTF_8));
        assertTrue(redisCommands.zscore(bytes("test.presence.expire." + name), bytes("c1"))
                .get(5, TimeUnit.SECONDS) > System.currentTimeMillis() / 1000.0, "expiry in epoch seconds");
        long ttl = redisCommands.pttl(bytes("test.presence.data." + name)).get(5, TimeUnit.SECONDS);
        assertTrue(ttl > 0 && ttl <= TTL.toMillis(), "the hash expires with the TTL: " + ttl);
        assertEquals(1L, redisCommands.exists(bytes("test.app.pusher1.presence.data." + name))
                .get(5, TimeUnit.SECONDS));
    }

    @Test
    void anAddThatFailedWhileRedisWasDownIsWrittenByTheRefreshOnceItIsBack() throws Exception {
        RedisPresenceManager one = node();
        ChannelKey chat = channel();
        redis.stop();
        try {
            await(() -> one.addPresence(chat, "c1", info("alice", "c1")).toCompletableFuture()
                    .handle((ok, error) -> error != null).join(), Duration.ofSeconds(10),
                    "an add to fail while Redis is down");
        } finally {
            redis.start();
        }
        await(() -> {
            try {
                return get(one.presence(chat)).containsKey("c1");
            } catch (Exception stillReconnecting) {
                return false;
            }
        }, Duration.ofSeconds(10), "the refresh to write the entry");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
