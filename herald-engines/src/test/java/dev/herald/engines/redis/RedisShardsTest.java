package dev.herald.engines.redis;

import dev.herald.engines.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisShardsTest {
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = (RedisServer) new RedisServer().start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Test
    void talksToARealRedis() throws Exception {
        try (RedisShards shards = new RedisShards(List.of(redis.address()), "test", Duration.ofSeconds(1),
                Duration.ofSeconds(2))) {
            RedisShard shard = shards.forKey("chat");
            shard.connect();
            byte[] key = "k".getBytes(StandardCharsets.UTF_8);
            shard.commands().async().set(key, "v".getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get();
            assertArrayEquals("v".getBytes(StandardCharsets.UTF_8),
                    shard.commands().async().get(key).toCompletableFuture().get());
            assertTrue(shards.healthy());
        }
    }

    @Test
    void consistentHashSpreadsAndMovesLittle() {
        Map<Integer, Integer> counts = new HashMap<>();
        int moved = 0;
        for (int i = 0; i < 10_000; i++) {
            String channel = "channel-" + i;
            int three = RedisShards.index(channel, 3);
            counts.merge(three, 1, Integer::sum);
            assertEquals(three, RedisShards.index(channel, 3), "stable");
            if (RedisShards.index(channel, 4) != three) {
                moved++;
            }
        }
        assertEquals(3, counts.size());
        counts.values().forEach(n -> assertTrue(n > 3000 && n < 3700, "balanced: " + counts));
        // a fourth shard takes about a quarter of the channels, and only those move
        assertTrue(moved > 2200 && moved < 2800, "moved " + moved);
    }

    @Test
    void refusesSentinelAndClusterAddressesByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RedisAddress.parse("redis+sentinel://127.0.0.1:26379?sentinel_master_name=m"));
        assertTrue(e.getMessage().contains("engine.redis.address"), e.getMessage());
    }
}
